package dev.keysafe.workshop.lab;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import dev.keysafe.workshop.shared.ErrorLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Lab 02's check, the key in the log: no run may leak the key, and each failure must be reported
 * the way module 02 reports it: a refused key exits 3 with a line that says the key was refused
 * and what to check, in the program's own words; a missing key exits 2 naming OPENAI_API_KEY.
 * Hiding the key is not enough: a message that names no problem, or a wrong exit code, fails.
 */
final class LoggedKeyCheck {

    static final String VARIABLE = "OPENAI_API_KEY";

    /** Words that say the key was not accepted. */
    private static final Pattern REFUSED = Pattern.compile("refus|reject|invalid|wrong|revoked|not accepted"
            + "|unauthori|\\b401\\b|\\b403\\b");
    /** Words that tell the user what to do about it. */
    private static final Pattern WHAT_TO_CHECK = Pattern.compile("check|dashboard|verify|replace|rotate|new key");

    private LoggedKeyCheck() {
    }

    static List<Problem> run(LabRun run) {
        List<Problem> problems = new ArrayList<>();
        problems.addAll(run.probe("a normal run", Scenario.HAPPY_PATH,
                (launch, key) -> launch.env(VARIABLE, key.value())).problems());
        LabRun.Probed rejected = run.probe("a rejected key", Scenario.KEY_REJECTED,
                (launch, key) -> launch.env(VARIABLE, key.value()));
        problems.addAll(rejected.problems());
        problems.addAll(judgeRefusal("a rejected key", rejected.run().exitCode(), rejected.run().stderr(),
                rejected.key()));
        problems.addAll(missingKey(run));
        return problems;
    }

    /** A refused key: exit 3, and a line of the program's own that names the problem and what to check. */
    static List<Problem> judgeRefusal(String what, int exitCode, String stderr, Canary key) {
        List<Problem> problems = new ArrayList<>();
        if (exitCode != ExitCode.AUTH) {
            problems.add(new Problem(what + ": it exited " + exitCode + ", not 3 (the key was refused)",
                    "each failure has its own exit code, so a script can tell them apart: 2 a setting is missing,"
                            + " 3 the key was refused, 4 rate-limited, 5 OpenAI unreachable. Module 02 exits 3 here."));
        }
        String line = ErrorLine.in(stderr);
        if (quotesUpstream(stderr)) {
            problems.add(new Problem(what + ": its message repeats OpenAI's own error text",
                    "the upstream's words are not yours to print, even scrubbed: they can quote the key."
                            + " Say what failed in your own words."));
        } else if (!explainsRefusal(line)) {
            problems.add(new Problem(what + ": its message does not say the key was refused and what to check: "
                    + LabRun.quoted(stderr, key),
                    "a user must learn from that one line that OpenAI refused the key (wrong, revoked, or without"
                            + " access) and where to check it, as module 02's message does"));
        }
        return problems;
    }

    /** Whether the program printed words of OpenAI's 401 body (the stub's, as OpenAI's). */
    static boolean quotesUpstream(String output) {
        return output.contains("Incorrect API key provided") || output.contains("You can find your API key");
    }

    private static boolean explainsRefusal(String line) {
        String lower = line.toLowerCase(Locale.ROOT);
        return lower.contains("key") && REFUSED.matcher(lower).find() && WHAT_TO_CHECK.matcher(lower).find();
    }

    /** No OPENAI_API_KEY at all: a setting is missing, exit 2, and the message names the variable. */
    private static List<Problem> missingKey(LabRun run) {
        List<Problem> problems = new ArrayList<>();
        try (OpenAiStub stub = OpenAiStub.start()) {
            RunResult result = run.run(run.launch(), stub);
            String what = "no " + VARIABLE + " set";
            if (result.exitCode() != ExitCode.CONFIG) {
                problems.add(new Problem(what + ": it exited " + result.exitCode() + ", not 2 (a setting is missing)",
                        "a missing key is a setup error, not a failed call: exit 2, as module 02 does"));
            }
            if (!ErrorLine.in(result.stderr()).contains(VARIABLE)) {
                problems.add(new Problem(what + ": its message does not name " + VARIABLE,
                        "say which variable to set, so the user can fix it without reading the code"));
            }
            if (!stub.journal().isEmpty()) {
                problems.add(new Problem(what + ": it called the API anyway", "with no key, stop before calling"));
            }
        }
        return problems;
    }
}
