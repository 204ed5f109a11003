package dev.keysafe.workshop.room;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file only its owner may read (mode 600): the participant's room token on the laptop, the
 * room's state on the facilitator's machine. Written whole, to a private temporary file first and
 * then moved over the old one, so a reader never sees half a file and the content is never
 * readable by others, not even for a moment.
 */
final class PrivateFile {

    private PrivateFile() {
    }

    /** Writes {@code text} to {@code file}, owner read/write only where the file system has modes. */
    static void write(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temporary = posix()
                ? Files.createTempFile(dir, ".room-", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".room-", ".tmp");
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The file's mode as {@code rw-------}, or empty where the file system has none (Windows). */
    static String mode(Path file) throws IOException {
        return posix() ? PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) : "";
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
