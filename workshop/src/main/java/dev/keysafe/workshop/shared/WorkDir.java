package dev.keysafe.workshop.shared;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.KitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;

/**
 * A temporary working directory for one run of a module: created under a prefix that names the
 * run, filled with the files the kit plants for the module (a {@code .env}, readable by its owner
 * only), and deleted afterwards with everything the run wrote.
 */
public final class WorkDir {

    private WorkDir() {
    }

    /** A new, empty temporary directory whose name starts with {@code prefix}. */
    public static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new KitException("cannot create a temporary directory: " + e.getMessage(), ExitCode.FAILED);
        }
    }

    /** Deletes {@code dir} and everything below it; a file that cannot be deleted is named on stderr. */
    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("kit: could not delete " + dir + " (" + e.getMessage() + ")");
        }
    }

    /** Writes a planted file readable by its owner only, as a {@code .env} should be. */
    public static void plant(Path target, String content) throws IOException {
        Files.createDirectories(target.getParent());
        Files.writeString(target, content);
        try {
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file inherits the folder's access list, which is the user's temp folder.
        }
    }
}
