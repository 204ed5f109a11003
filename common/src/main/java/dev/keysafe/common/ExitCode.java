package dev.keysafe.common;

/** The exit codes of every keysafe command-line module, so scripts can tell failures apart. */
public final class ExitCode {

    /** The answer was printed. */
    public static final int OK = 0;
    /** A setting is missing or wrong (no key, a bad URL): fix the configuration. */
    public static final int CONFIG = 2;
    /** OpenAI refused the key (401, 403): it is wrong, revoked, or lacks access. */
    public static final int AUTH = 3;
    /** OpenAI rate-limited the call (429): wait, or raise the limit. */
    public static final int RATE_LIMITED = 4;
    /** OpenAI could not be reached or answered badly (5xx, reset, timeout, bad body, redirect). */
    public static final int UPSTREAM = 5;

    private ExitCode() {
    }
}
