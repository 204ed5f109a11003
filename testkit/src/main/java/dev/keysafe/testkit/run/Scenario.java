package dev.keysafe.testkit.run;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.Fault;
import dev.keysafe.testkit.stub.OpenAiStub;

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

    /** Sets {@code stub} up for this scenario: reset, {@code key} accepted (unless rejected), its fault on. */
    public void arrange(OpenAiStub stub, Canary key) {
        stub.reset();
        if (this != KEY_REJECTED) {
            stub.acceptKeys(key.value());
        }
        if (fault != null) {
            stub.fault(fault);
        }
    }

    /**
     * Whether a run did what this scenario asks of a correct module: the stub's answer on stdout
     * and exit 0, or a non-zero exit with a message on stderr and no answer (a redirect may do either).
     */
    public boolean wellBehaved(int exitCode, String stdout, String stderr) {
        boolean answered = exitCode == 0 && stdout.contains(OpenAiStub.ANSWER);
        boolean failedCleanly = exitCode != 0 && !stderr.isBlank() && !stdout.contains(OpenAiStub.ANSWER);
        if (this == REDIRECT_TO_OTHER_HOST) {
            return answered || failedCleanly;
        }
        return answers ? answered : failedCleanly;
    }
}
