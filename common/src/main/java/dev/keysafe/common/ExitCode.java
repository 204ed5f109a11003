package dev.keysafe.common;

/**
 * The kit's exit codes, one table for the modules and the {@code ./kit} launcher, so a script can
 * tell every failure apart. {@code ./kit run NN} passes the module's own code through; the
 * launcher's own usage errors have a code no module uses.
 *
 * <pre>
 *  0  OK            done: the answer was printed, the check passed
 *  1  FAILED        a check failed (tour, lab check, doctor, drill), a key was found (scan)
 *  2  CONFIG        a setting is missing or wrong (no key, a bad URL, a path scan cannot read)
 *  3  AUTH          OpenAI refused the key (401, 403)
 *  4  RATE_LIMITED  OpenAI rate-limited the call (429)
 *  5  UPSTREAM      OpenAI could not be reached or answered badly
 * 64  KIT_USAGE     ./kit itself was called wrongly (no or unknown command, module, option)
 *                 or cannot start (no JDK 17+, the build failed)
 * </pre>
 */
public final class ExitCode {

    /** The answer was printed; the check passed. */
    public static final int OK = 0;
    /** A check failed (tour, lab check, doctor, drill) or a key was found (scan). Never used by a module. */
    public static final int FAILED = 1;
    /** A setting is missing or wrong (no key, a bad URL): fix the configuration. */
    public static final int CONFIG = 2;
    /** OpenAI refused the key (401, 403): it is wrong, revoked, or lacks access. */
    public static final int AUTH = 3;
    /** OpenAI rate-limited the call (429): wait, or raise the limit. */
    public static final int RATE_LIMITED = 4;
    /** OpenAI could not be reached or answered badly (5xx, reset, timeout, bad body, redirect). */
    public static final int UPSTREAM = 5;
    /**
     * The launcher was called wrongly (no command, an unknown command, module or option, a module
     * not built yet) or cannot start (no JDK 17+, the build failed). 64 is {@code EX_USAGE} from
     * BSD's sysexits.h; no module uses it.
     */
    public static final int KIT_USAGE = 64;

    private ExitCode() {
    }
}
