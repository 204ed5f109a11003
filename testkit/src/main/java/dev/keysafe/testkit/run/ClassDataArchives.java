package dev.keysafe.testkit.run;

import dev.keysafe.common.Sha256;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Class-data-sharing archives for the module runs of a test build. A module's JVM spends most of
 * its second loading and verifying the 4,700 classes behind the OpenAI client; mapped from an
 * archive, a run costs about 40% less CPU. The first run of a class path lists the classes it
 * loads; when it succeeds, a separate {@code java -Xshare:dump} writes the archive from that list
 * (about 2.5 CPU-s), and every later run of the class path maps it. Runs that start meanwhile
 * wait for the archive, which costs no CPU.
 *
 * <p>Off unless the system property {@value #DIR_PROPERTY} names a directory (the build sets it
 * for its tests): a learner's one run would pay for an archive it never uses. Only class paths
 * of jars qualify (the JVM cannot archive from a directory). The JVM checks an archive against
 * the jars' sizes and times and ignores it, silently, when they changed: a run is never wrong,
 * at worst not faster. An archive holds class metadata, nothing a run computed.
 */
public final class ClassDataArchives {

    /** The system property naming the directory that holds the archives. */
    static final String DIR_PROPERTY = "keysafe.cds.dir";

    private static final Use WITHOUT = new Use(List.of(), null, null, null, null, null);
    private static final AtomicLong SEQUENCE = new AtomicLong();
    /** Archives this JVM is making, or tried to make, by class path: completed once it is written or has failed. */
    private static final Map<String, CompletableFuture<Void>> MAKING = new ConcurrentHashMap<>();

    private ClassDataArchives() {
    }

    /** What one run does about archives: map one, list its classes for one, or neither. */
    static final class Use {
        private final List<String> jvmArgs;
        private final String classpath;
        private final Path list;
        private final Path archive;
        private final CompletableFuture<Void> made;
        private final String key;

        private Use(List<String> jvmArgs, String classpath, Path list, Path archive, CompletableFuture<Void> made,
                    String key) {
            this.key = key;
            this.jvmArgs = jvmArgs;
            this.classpath = classpath;
            this.list = list;
            this.archive = archive;
            this.made = made;
        }

        /** JVM options for the run. */
        List<String> jvmArgs() {
            return jvmArgs;
        }

        /**
         * Called once the run has ended (more than once is fine): when it listed its classes and
         * {@code succeeded}, writes the archive from the list. A run that failed (a refused start
         * loads only part of the classes the others need) hands the listing on to the class
         * path's next run. A dump that fails leaves no archive, and the class path's runs go without one.
         */
        void finish(boolean succeeded) {
            if (made == null || made.isDone()) {
                return;
            }
            if (!succeeded) {
                deleteQuietly(list);
                MAKING.remove(key, made);
                made.complete(null);
                return;
            }
            Path partial = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid()
                    + "-" + SEQUENCE.incrementAndGet() + ".tmp");
            try {
                if (Files.isRegularFile(list) && Files.size(list) > 0) {
                    Process dump = new ProcessBuilder(java(), "-XX:+UseSerialGC", "-Xshare:dump",
                            "-XX:SharedClassListFile=" + list, "-XX:SharedArchiveFile=" + partial, "-cp", classpath)
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (!dump.waitFor(60, TimeUnit.SECONDS)) {
                        dump.destroyForcibly().waitFor();
                    } else if (dump.exitValue() == 0 && Files.isRegularFile(partial)) {
                        // Whole or not at all: a JVM that maps a half-written archive crashes.
                        Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } catch (IOException e) {
                // No archive: the class path's runs are as fast as they were without one.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                deleteQuietly(partial);
                deleteQuietly(list);
                made.complete(null);
            }
        }
    }

    /**
     * JVM options that map {@code classpath}'s archive when a run of the build has made one, for
     * the launcher's own starts of a module; none otherwise. Never lists classes, never waits.
     */
    public static List<String> mapped(String classpath) {
        return forRun(classpath, false).jvmArgs();
    }

    /** How a run of {@code classpath} uses the archives in the directory the system property names. */
    static Use forRun(String classpath, boolean runsToTheEnd) {
        String dir = System.getProperty(DIR_PROPERTY);
        return dir == null || dir.isBlank() ? WITHOUT : forRun(classpath, Path.of(dir), runsToTheEnd);
    }

    /**
     * How a run of {@code classpath} uses the archives in {@code dir}. Only a run that ends by
     * itself ({@code runsToTheEnd}) lists classes, or waits for an archive being made: a server
     * stopped by its test could hold back another test's start for as long as it runs.
     */
    static Use forRun(String classpath, Path dir, boolean runsToTheEnd) {
        List<Path> jars = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!Files.isRegularFile(path)) {
                return WITHOUT;
            }
            jars.add(path);
        }
        try {
            String key = key(classpath, jars);
            Path archive = Files.createDirectories(dir).resolve(key + ".jsa");
            while (true) {
                if (Files.isRegularFile(archive)) {
                    return mapping(archive);
                }
                CompletableFuture<Void> made = new CompletableFuture<>();
                CompletableFuture<Void> making = MAKING.putIfAbsent(key, made);
                if (making == null) {
                    if (!runsToTheEnd) {
                        MAKING.remove(key, made);
                        return WITHOUT;
                    }
                    Path list = dir.resolve(key + "." + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + ".classes");
                    return new Use(List.of("-XX:DumpLoadedClassList=" + list), classpath, list, archive, made, key);
                }
                if (!runsToTheEnd) {
                    return WITHOUT;
                }
                // A few seconds' wait beats a run at full price: on two cores the build has other work meanwhile.
                making.get(90, TimeUnit.SECONDS);
                if (!Files.isRegularFile(archive) && MAKING.get(key) == making) {
                    return WITHOUT; // the dump failed: this class path runs without an archive
                }
                // Written, or the listing run failed and handed the listing on: look again.
            }
        } catch (IOException | ExecutionException | TimeoutException e) {
            return WITHOUT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return WITHOUT;
        }
    }

    private static Use mapping(Path archive) {
        return new Use(List.of("-XX:SharedArchiveFile=" + archive), null, null, null, null, null);
    }

    /** Names the archive after the JVM, the class path and each jar's size and time, so a rebuilt jar gets a new one. */
    private static String key(String classpath, List<Path> jars) throws IOException {
        StringBuilder identity = new StringBuilder(System.getProperty("java.home")).append('\n')
                .append(System.getProperty("java.vm.version")).append('\n').append(classpath);
        for (Path jar : jars) {
            identity.append('\n').append(Files.size(jar)).append(' ').append(Files.getLastModifiedTime(jar).toMillis());
        }
        return Sha256.hex(identity.toString()).substring(0, 16);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover in the archives' directory, removed by the next clean
        }
    }
}
