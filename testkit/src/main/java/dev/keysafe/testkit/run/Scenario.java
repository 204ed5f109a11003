package dev.keysafe.testkit.run;

import dev.keysafe.testkit.stub.Fault;

/**
 * One way a call to OpenAI can go, as the leak suite drives it: the happy path, a key the
 * upstream does not accept (whose 401 echoes it masked), and each {@link Fault}.
 */
public enum Scenario {
    HAPPY_PATH(null, true),
    KEY_REJECTED(null, false),
    UNAUTHORIZED_401(Fault.UNAUTHORIZED_401, false),
    FORBIDDEN_403(Fault.FORBIDDEN_403, false),
    RATE_LIMITED_429(Fault.RATE_LIMITED_429, false),
    SERVER_ERROR_500(Fault.SERVER_ERROR_500, false),
    UNAVAILABLE_503(Fault.UNAVAILABLE_503, false),
    SLOW_FIRST_BYTE(Fault.SLOW_FIRST_BYTE, true),
    CONNECTION_RESET(Fault.CONNECTION_RESET, false),
    MALFORMED_JSON(Fault.MALFORMED_JSON, false),
    REDIRECT_TO_OTHER_HOST(Fault.REDIRECT_TO_OTHER_HOST, false);

    private final Fault fault;
    private final boolean answers;

    Scenario(Fault fault, boolean answers) {
        this.fault = fault;
        this.answers = answers;
    }

    /** The stub's fault, or null when it behaves. */
    public Fault fault() {
        return fault;
    }

    /** Whether a correct module prints the answer (true) or fails with a message (false). */
    public boolean answers() {
        return answers;
    }
}
