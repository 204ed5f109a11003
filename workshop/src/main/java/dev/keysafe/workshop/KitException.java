package dev.keysafe.workshop;

/**
 * A problem the user can fix, reported as one line (no stack trace) with an exit code: an unknown
 * module, a module that is not built, a bad option.
 */
public final class KitException extends RuntimeException {

    private final int exitCode;

    /** A problem with the user's input or setup: exit code 2. */
    public KitException(String message) {
        this(message, Kit.EXIT_USAGE);
    }

    public KitException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
