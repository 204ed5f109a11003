package dev.keysafe.workshop;

import dev.keysafe.common.ExitCode;

/**
 * A problem the user can fix, reported as one line (no stack trace) with an exit code from
 * {@link ExitCode}: by default {@link ExitCode#KIT_USAGE} (an unknown module, a module that is not
 * built, a bad option).
 */
public final class KitException extends RuntimeException {

    private final int exitCode;

    /** A problem with how the kit was called (an unknown module, a module not built): exit code 64. */
    public KitException(String message) {
        this(message, ExitCode.KIT_USAGE);
    }

    public KitException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
