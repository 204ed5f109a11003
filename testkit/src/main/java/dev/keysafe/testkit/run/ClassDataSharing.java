package dev.keysafe.testkit.run;

import dev.keysafe.common.Sha256;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Class data sharing for the kit's many short JVMs: the first run of a class path writes an
 * archive of the classes it loaded, and later runs of the same class path map that archive instead
 * of loading and verifying every class again, which saves about a third of each run's CPU. Only for
 * class paths made of jars (the JVM cannot archive classes from a folder) whose first jar sits in a
 * build's {@code target} folder, where the archive is kept ({@code target/cds}); a jar that changes
 * makes a new archive. The JVM falls back to a plain start, silently, whenever an archive does not fit.
 * {@code KEYSAFE_CDS=off} in the environment turns it off (to compare, or to rule it out).
 */
final class ClassDataSharing {

    /** A writer that died (a server stopped by force) must not block the archive forever. */
    private static final Duration STALE_LOCK = Duration.ofSeconds(90);
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    private ClassDataSharing() {
    }

    /** The options that use, or write, the archive for {@code classpath}; none when it cannot have one. */
    static List<String> options(String classpath) {
        if ("off".equals(System.getenv("KEYSAFE_CDS"))) {
            return List.of();
        }
        String[] entries = classpath.split(File.pathSeparator);
        Path first = Path.of(entries[0]).toAbsolutePath();
        if (first.getParent() == null || !first.getParent().getFileName().toString().equals("target")) {
            return List.of();
        }
        StringBuilder key = new StringBuilder(System.getProperty("java.home")).append(System.getProperty("java.vm.version"));
        for (String entry : entries) {
            Path jar = Path.of(entry);
            if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                return List.of();
            }
            try {
                key.append('|').append(entry).append(Files.size(jar)).append(Files.getLastModifiedTime(jar).toMillis());
            } catch (IOException e) {
                return List.of();
            }
        }
        Path dir = first.getParent().resolve("cds");
        String name = Sha256.hex(key.toString()).substring(0, 16);
        Path archive = dir.resolve(name + ".jsa");
        List<String> options = new ArrayList<>(QUIET);
        if (Files.isRegularFile(archive)) {
            options.add("-XX:SharedArchiveFile=" + archive);
            return options;
        }
        try {
            Files.createDirectories(dir);
            Path lock = dir.resolve(name + ".lock");
            if (Files.exists(lock) && Files.getLastModifiedTime(lock).toInstant().isBefore(Instant.now().minus(STALE_LOCK))) {
                Files.deleteIfExists(lock);
            }
            Files.createFile(lock);
        } catch (FileAlreadyExistsException another) {
            return List.of(); // another run is writing this archive: start plainly meanwhile
        } catch (IOException e) {
            return List.of();
        }
        options.add("-XX:ArchiveClassesAtExit=" + archive);
        return options;
    }
}
