package dev.keysafe.workshop;

import dev.keysafe.testkit.Canary;
import java.io.File;
import java.lang.reflect.Field;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the key of an offline run comes from: the offline stub accepts it, and the tour searches
 * for it everywhere. A practice module gets a fresh throwaway key; module 01 brings its own, a
 * constant in its code, which is read from its build output.
 */
@FunctionalInterface
public interface KeySource {

    /** A fresh throwaway key for every run: the right choice for every module that takes a key. */
    KeySource FRESH = build -> Canary.fresh();

    /** The key for one run of {@code build}. */
    Canary key(ModuleBuild build);

    /**
     * The value of a {@code static final String} in the module's own classes, read from its build
     * output in a class loader of its own (the launcher has no compile-time link to any module).
     */
    static KeySource constant(String className, String fieldName) {
        return build -> {
            List<URL> urls = new ArrayList<>();
            for (String entry : build.classpath().split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    try {
                        urls.add(Path.of(entry).toUri().toURL());
                    } catch (MalformedURLException e) {
                        throw new KitException("module " + build.module().id() + ": bad classpath entry " + entry);
                    }
                }
            }
            try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new),
                    ClassLoader.getPlatformClassLoader())) {
                Field field = Class.forName(className, true, loader).getField(fieldName);
                return Canary.of((String) field.get(null));
            } catch (ReflectiveOperationException | ClassCastException | java.io.IOException e) {
                throw new KitException("module " + build.module().id() + ": cannot read its key constant "
                        + className + "." + fieldName + " from its build output (" + e.getClass().getSimpleName()
                        + "). Rebuild it: ./mvnw -q -DskipTests package");
            }
        };
    }
}
