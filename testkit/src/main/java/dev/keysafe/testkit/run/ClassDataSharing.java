package dev.keysafe.testkit.run;

import dev.keysafe.common.Sha256;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Class data sharing for the kit's many short module JVMs: the first run of a jar class path
 * records the classes it loads, a separate JVM turns that list into an archive, and every later
 * run of the same class path maps the archive instead of reading, parsing and verifying those
 * classes again: about 40% less CPU per run. The JVM checks the archive against the class path
 * and starts plainly, silently, whenever it does not fit.
 *
 * <p>Only class paths made of jars (the JVM archives no classes from a folder) of which one sits
 * in a build's {@code target} folder, where the archive is kept ({@code target/cds}, gone with
 * {@code mvn clean}); a jar that changes makes a new one. The archive is written by its own JVM
 * ({@code -Xshare:dump}), never by a run under test, so a failed dump costs nothing but the saving.
 *
 * <p>On only where the system property {@code keysafe.cds} is {@code true}: the kit's own build
 * sets it for its tests ({@code ./mvnw verify -Dkeysafe.cds=false} to compare, or to rule it out);
 * a learner's {@code ./kit} and a team's own tests leave their {@code target} folders alone.
 */
public final class ClassDataSharing {

    /** The system property that turns it on. */
    public static final String PROPERTY = "keysafe.cds";

    private static final List<String> QUIET = List.of("-Xlog:cds*=off");

    private final Path archive;
    private final Path classList;
    private final Path recording;

    private ClassDataSharing(Path dir, String name) {
        this.archive = dir.resolve(name + ".jsa");
        this.classList = dir.resolve(name + ".classlist");
        this.recording = dir.resolve(name + ".recording");
    }

    /** Where {@code classpath}'s archive lives; null when sharing is off or the class path cannot have one. */
    static ClassDataSharing forClasspath(String classpath) {
        return Boolean.getBoolean(PROPERTY) ? ofJars(classpath) : null;
    }

    /** The archive's place for a class path of jars, one of them in a {@code target} folder; else null. */
    static ClassDataSharing ofJars(String classpath) {
        Path target = null;
        StringBuilder key = new StringBuilder(System.getProperty("java.home")).append(System.getProperty("java.vm.version"));
        for (String entry : classpath.split(File.pathSeparator)) {
            Path jar = Path.of(entry).toAbsolutePath();
            if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                return null;
            }
            if (target == null && jar.getParent() != null && jar.getParent().getFileName().toString().equals("target")) {
                target = jar.getParent();
            }
            try {
                key.append('|').append(jar).append(Files.size(jar)).append(Files.getLastModifiedTime(jar).toMillis());
            } catch (IOException e) {
                return null;
            }
        }
        return target == null ? null : new ClassDataSharing(target.resolve("cds"), Sha256.hex(key.toString()).substring(0, 16));
    }

    /**
     * The JVM options for one run: the archive's when it exists; the class list to record when no
     * run has recorded one yet (see {@link #recorded}); else none, and the run starts plainly.
     */
    List<String> options() {
        if (Files.isRegularFile(archive)) {
            List<String> options = new ArrayList<>(QUIET);
            options.add("-XX:SharedArchiveFile=" + archive);
            return options;
        }
        try {
            Files.createDirectories(archive.getParent());
            Files.createFile(recording);
            return List.of("-XX:DumpLoadedClassList=" + classList);
        } catch (FileAlreadyExistsException another) {
            return List.of(); // recorded, or being recorded, by another run
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Whether {@code options} asked this run to record the class list. */
    static boolean records(List<String> options) {
        return options.stream().anyMatch(o -> o.startsWith("-XX:DumpLoadedClassList="));
    }

    /**
     * Called once the recording run has ended: dumps the archive for {@code classpath} with
     * {@code java}, from the recorded list. The archive appears whole or not at all.
     */
    void recorded(String java, String classpath) {
        Path partial = archive.resolveSibling(archive.getFileName() + ".part");
        try {
            if (!Files.isRegularFile(classList)) {
                return;
            }
            // A run stopped by force may have been cut in the middle of a line.
            String list = Files.readString(classList, StandardCharsets.UTF_8);
            Files.writeString(classList, list.substring(0, list.lastIndexOf('\n') + 1), StandardCharsets.UTF_8);
            Process dump = new ProcessBuilder(java, "-Xshare:dump", "-XX:SharedClassListFile=" + classList,
                    "-XX:SharedArchiveFile=" + partial, "-cp", classpath)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (dump.waitFor(60, TimeUnit.SECONDS) && dump.exitValue() == 0 && Files.isRegularFile(partial)) {
                Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
            } else {
                dump.destroyForcibly();
            }
        } catch (IOException e) {
            // no archive: later runs start plainly, as before
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // a leftover in target/cds, never read
            }
        }
    }

    Path archive() {
        return archive;
    }
}
