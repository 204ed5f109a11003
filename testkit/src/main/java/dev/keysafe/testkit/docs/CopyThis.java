package dev.keysafe.testkit.docs;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Does what a reviewer does with a module's "Copy this into your project" section: copies exactly
 * the files it lists into an empty folder and compiles them there, alone, against only the jars
 * of the dependencies it names (and what those bring with them). A file the section forgot, or a
 * dependency it did not name, fails the compile.
 */
public final class CopyThis {

    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");

    private CopyThis() {
    }

    /** What came of the copy: the files copied, the jars allowed, and javac's errors (empty when it compiled). */
    public record Result(List<Path> copied, List<Path> classpath, List<String> errors) {
        public boolean compiled() {
            return errors.isEmpty();
        }
    }

    /**
     * Copies and compiles the lesson of {@code section} in {@code scratch}, with the jars found on
     * {@code availableJars} (normally this JVM's class path) for the dependencies the section names.
     *
     * @throws IllegalStateException when a listed file or a named dependency does not exist
     */
    public static Result compile(ReadmeSection section, DependencyTree tree, List<Path> availableJars, Path scratch) {
        List<Path> copied = new ArrayList<>();
        try {
            for (Path file : section.files()) {
                if (!Files.isRegularFile(file)) {
                    throw new IllegalStateException(section.readme() + " lists " + file + ", which does not exist");
                }
                String source = Files.readString(file);
                Matcher pkg = PACKAGE.matcher(source);
                Path dir = scratch.resolve("src");
                if (pkg.find()) {
                    dir = dir.resolve(pkg.group(1).replace('.', File.separatorChar));
                }
                Files.createDirectories(dir);
                copied.add(Files.copy(file, dir.resolve(file.getFileName())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> classpath = new ArrayList<>();
        for (String dependency : section.dependencies()) {
            if (!tree.contains(dependency)) {
                throw new IllegalStateException(section.readme() + " names " + dependency
                        + ", which is not a dependency of the module");
            }
            for (DependencyTree.Node node : tree.closure(dependency)) {
                jarOf(node, availableJars).filter(jar -> !classpath.contains(jar)).ifPresent(classpath::add);
            }
        }
        return new Result(List.copyOf(copied), List.copyOf(classpath), javac(copied, classpath, scratch.resolve("classes")));
    }

    /** The jars on this JVM's class path. */
    public static List<Path> thisClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.endsWith(".jar")).map(Path::of).toList();
    }

    /** Every {@code .java} file directly in {@code packageDir} (not its subpackages). */
    public static Set<Path> filesOf(Path packageDir) {
        try (Stream<Path> files = Files.list(packageDir)) {
            return files.filter(f -> f.toString().endsWith(".java")).map(p -> p.toAbsolutePath().normalize())
                    .collect(Collectors.toCollection(java.util.TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.util.Optional<Path> jarOf(DependencyTree.Node node, List<Path> jars) {
        String inRepository = File.separator + node.groupId().replace('.', File.separatorChar) + File.separator
                + node.artifactId() + File.separator + node.version() + File.separator;
        return jars.stream().filter(jar -> jar.toString().contains(inRepository)).findFirst();
    }

    private static List<String> javac(List<Path> sources, List<Path> classpath, Path out) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no Java compiler in this JVM: run the tests with a JDK");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            Files.createDirectories(out);
            List<String> options = List.of("--release", "17", "-proc:none", "-implicit:none", "-d", out.toString(),
                    "-classpath", classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
            compiler.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjectsFromPaths(sources)).call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> (d.getSource() == null ? "" : Path.of(d.getSource().toUri()).getFileName() + ":"
                        + d.getLineNumber() + ": ") + d.getMessage(Locale.ROOT))
                .toList();
    }
}
