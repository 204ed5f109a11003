package dev.keysafe.dotenv;

import dev.keysafe.common.ConfigException;
import io.github.cdimascio.dotenv.Dotenv;
import io.github.cdimascio.dotenv.DotenvEntry;
import io.github.cdimascio.dotenv.DotenvException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code .env} file: a git-ignored file of {@code NAME=value} lines in the working directory that
 * stands in for environment variables during local development, read with dotenv-java. The real
 * environment always wins over the file.
 */
public final class DotenvFile {

    /** The file's name; it is looked for in the working directory only. */
    public static final String NAME = ".env";

    private DotenvFile() {
    }

    /**
     * The settings to run with: the variables of {@code dir/.env}, each overridden by the same
     * variable in {@code env}. A missing file is fine; an empty variable counts as not set.
     * Warns once on {@code err}, naming no value, when other users can read the file.
     *
     * @throws ConfigException when the file cannot be read or has a malformed line
     */
    public static Map<String, String> settings(Map<String, String> env, Path dir, PrintStream err) {
        Path file = dir.resolve(NAME).toAbsolutePath().normalize();
        Map<String, String> settings = new HashMap<>();
        if (Files.isRegularFile(file)) {
            if (readableByOthers(file)) {
                err.println("warning: " + file + " can be read by other users of this machine. "
                        + "Fix: chmod 600 " + file);
            }
            settings.putAll(variables(file));
        }
        // The real environment wins: a value set for one run overrides the file's everyday one.
        env.forEach((name, value) -> {
            if (value != null && !value.isBlank()) {
                settings.put(name, value);
            }
        });
        return namesOnlyWhenPrinted(settings);
    }

    /** The variables declared in {@code file}, which exists. */
    static Map<String, String> variables(Path file) {
        Dotenv dotenv;
        try {
            // Only called when the file exists: a missing one would make dotenv-java search the
            // classpath, where a .env packaged into a jar by mistake would be found and used.
            // A file: URI, so dotenv-java reads exactly this path. No systemProperties(): it would
            // copy the key into the JVM's system properties, which test reports and tools list.
            dotenv = Dotenv.configure()
                    .directory(file.getParent().toUri().toString())
                    .filename(NAME)
                    .load();
        } catch (DotenvException e) {
            throw new ConfigException(".env could not be read: " + e.getMessage());
        }
        Map<String, String> variables = new HashMap<>();
        // getKey()/getValue() only: DotenvEntry.toString() prints NAME=value.
        for (DotenvEntry entry : dotenv.entries(Dotenv.Filter.DECLARED_IN_ENV_FILE)) {
            variables.put(entry.getKey(), entry.getValue());
        }
        return variables;
    }

    /** True when {@code file}'s POSIX permissions let its group or others read it; false elsewhere. */
    static boolean readableByOthers(Path file) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return false; // not a POSIX file system (Windows): its ACLs are not checked here
        }
        try {
            Set<PosixFilePermission> permissions = view.readAttributes().permissions();
            return permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** {@code settings}, printing only variable names: the map holds the key. */
    private static Map<String, String> namesOnlyWhenPrinted(Map<String, String> settings) {
        Map<String, String> copy = Map.copyOf(settings);
        return new AbstractMap<>() {
            @Override
            public Set<Entry<String, String>> entrySet() {
                return copy.entrySet();
            }

            @Override
            public String get(Object name) {
                return copy.get(name);
            }

            @Override
            public String toString() {
                return "settings " + new TreeSet<>(copy.keySet());
            }
        };
    }
}
