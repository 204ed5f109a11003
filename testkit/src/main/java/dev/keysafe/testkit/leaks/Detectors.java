package dev.keysafe.testkit.leaks;

import dev.keysafe.common.Json;
import dev.keysafe.testkit.Needle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The leak detectors, each usable alone: give one a {@link Needle} (a canary, or the key shapes
 * scanners know) and a place, get back where it was found. Bytes are read as ISO-8859-1 so class
 * files and other binaries are searched byte for byte.
 */
public final class Detectors {

    /** Files larger than this are not read: 16 MiB. */
    static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    private Detectors() {
    }

    /** Captured text: stdout, stderr, a log, an exception message, a response body. */
    public static List<Finding> inText(Needle needle, Channel channel, String where, String text) {
        List<Finding> found = new ArrayList<>();
        for (String form : needle.formsIn(text == null ? "" : text)) {
            found.add(new Finding(channel, where, form));
        }
        return found;
    }

    /**
     * Captured text, with the line of each find: {@code where line N}, the first line that holds
     * each form. A form only found across lines (a key split by a wrap) is reported without one.
     */
    public static List<Finding> inLines(Needle needle, Channel channel, String where, String text) {
        List<Finding> found = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        String[] lines = (text == null ? "" : text).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            for (String form : needle.formsIn(lines[i])) {
                if (seen.add(form)) {
                    found.add(new Finding(channel, where + " line " + (i + 1), form));
                }
            }
        }
        for (String form : needle.formsIn(text == null ? "" : text)) {
            if (seen.add(form)) {
                found.add(new Finding(channel, where, form));
            }
        }
        return found;
    }

    /** An exception, its message and every cause, and its stack trace as it would be logged. */
    public static List<Finding> inThrowable(Needle needle, Throwable thrown) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            all.append(t).append('\n');
            for (Throwable suppressed : t.getSuppressed()) {
                all.append(suppressed).append('\n');
            }
        }
        java.io.StringWriter trace = new java.io.StringWriter();
        thrown.printStackTrace(new java.io.PrintWriter(trace));
        all.append(trace);
        return inText(needle, Channel.C9, "exception " + thrown.getClass().getName(), all.toString());
    }

    /** {@code toString()} and Jackson serialisation of each object that holds a key. */
    public static List<Finding> inObjects(Needle needle, Collection<?> holders) {
        List<Finding> found = new ArrayList<>();
        for (Object holder : holders) {
            String type = holder.getClass().getSimpleName();
            found.addAll(inText(needle, Channel.C8, type + ".toString()", String.valueOf(holder)));
            String json;
            try {
                json = Json.MAPPER.writeValueAsString(holder);
            } catch (Exception refused) {
                // refusing to serialise is safe, as long as the refusal does not quote the key
                json = String.valueOf(refused.getMessage());
            }
            found.addAll(inText(needle, Channel.C8, type + " as JSON", json));
        }
        return found;
    }

    /** The command line and JVM arguments of a process. */
    public static List<Finding> inCommandLine(Needle needle, List<String> commandLine) {
        return inText(needle, Channel.C11, "command line", String.join(" ", commandLine));
    }

    /** The given files, byte for byte; jars and zips are opened and each entry searched. */
    public static List<Finding> inFiles(Needle needle, Channel channel, Collection<Path> files) {
        List<Finding> found = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                continue;
            }
            String name = file.getFileName().toString();
            if (name.endsWith(".jar") || name.endsWith(".zip")) {
                found.addAll(inJar(needle, channel, file));
            } else {
                found.addAll(inText(needle, channel, "file " + file, readLatin1(file)));
            }
        }
        return found;
    }

    /** Every regular file below {@code dir}. */
    public static List<Finding> inTree(Needle needle, Channel channel, Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return inFiles(needle, channel, files.filter(Files::isRegularFile).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each entry of a jar or zip. */
    public static List<Finding> inJar(Needle needle, Channel channel, Path jar) {
        List<Finding> found = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                if (!entry.isDirectory()) {
                    String bytes = new String(readLimited(zip), StandardCharsets.ISO_8859_1);
                    found.addAll(inText(needle, channel, jar.getFileName() + "!/" + entry.getName(), bytes));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
        return found;
    }

    /** Entries of a jar whose name matches {@code regex} (a packaged {@code .env}, say). */
    public static List<String> jarEntriesNamed(Path jar, String regex) {
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                String base = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
                if (base.matches(regex)) {
                    names.add(entry.getName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
        return names;
    }

    /**
     * A module's build output: its jars, compiled classes and test reports ({@code target/}). Run
     * after {@code package} (from an integration test) so the jar exists.
     */
    public static List<Finding> inBuildOutput(Needle needle, Path moduleDir) {
        Path target = moduleDir.resolve("target");
        List<Finding> found = new ArrayList<>();
        try (Stream<Path> top = Files.isDirectory(target) ? Files.list(target) : Stream.empty()) {
            found.addAll(inFiles(needle, Channel.C16, top.filter(p -> p.toString().endsWith(".jar")).toList()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        found.addAll(inTree(needle, Channel.C16, target.resolve("classes")));
        found.addAll(inTree(needle, Channel.C16, target.resolve("surefire-reports")));
        found.addAll(inTree(needle, Channel.C16, target.resolve("failsafe-reports")));
        return found;
    }

    /** The jars a module's build produced (after {@code package}). */
    public static List<Path> builtJars(Path moduleDir) {
        Path target = moduleDir.resolve("target");
        if (!Files.isDirectory(target)) {
            return List.of();
        }
        try (Stream<Path> top = Files.list(target)) {
            return top.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Files of the working tree below {@code dir} that git would carry: tracked ones and untracked
     * ones that are not ignored. Outside a git checkout, every file below {@code dir} but build
     * output.
     */
    public static List<Finding> inWorkingTree(Needle needle, Path dir) {
        return inFiles(needle, Channel.C14, GitPlaces.workingTreeFiles(dir));
    }

    /**
     * Every version of every file below {@code dir} in every commit reachable from any ref of the
     * repository holding it: a key deleted in a later commit is still found.
     *
     * @return the findings; empty outside a git checkout (see {@link GitPlaces#isInGitCheckout(Path)})
     */
    public static List<Finding> inGitHistory(Needle needle, Path dir) {
        List<Finding> found = new ArrayList<>();
        GitPlaces.forEachVersionInHistory(dir, version -> found.addAll(inText(needle, Channel.C15,
                "commit " + version.commit() + " " + version.path(), version.text())));
        return found;
    }

    /** A file's bytes as ISO-8859-1 text, so binaries are searched byte for byte; "" past 16 MiB. */
    public static String readLatin1(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                return "";
            }
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0 && total < MAX_FILE_BYTES; total += n) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
