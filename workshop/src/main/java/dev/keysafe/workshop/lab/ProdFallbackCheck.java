package dev.keysafe.workshop.lab;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import dev.keysafe.workshop.shared.ErrorLine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lab 04's check, the production key as a fallback: a staging run sends staging's key only; and
 * with the chosen environment's key missing (staging, then development) while every other key is
 * there, the program refuses to start (exit 2, naming the variable to set) and sends no key at
 * all. Swapping the fallback for another environment's key, or for OPENAI_API_KEY, fails.
 */
final class ProdFallbackCheck {

    /** Each environment's variable, as module 04 names them, and the one no environment may fall back to. */
    private static final Map<String, String> VARIABLES = Map.of("development", "OPENAI_API_KEY_DEV",
            "staging", "OPENAI_API_KEY_STAGING", "production", "OPENAI_API_KEY_PROD");
    private static final String PLAIN_VARIABLE = "OPENAI_API_KEY";

    private ProdFallbackCheck() {
    }

    static List<Problem> run(LabRun run) {
        List<Problem> problems = new ArrayList<>();
        problems.addAll(run.probe("a staging run", Scenario.HAPPY_PATH, (launch, key) -> launch
                .env("ENVIRONMENT", "staging").env("OPENAI_API_KEY_STAGING", key.value())
                .env("OPENAI_API_KEY_PROD", Canary.fresh().value())
                .env("OPENAI_API_KEY_DEV", Canary.fresh().value())).problems());
        problems.addAll(missingKey(run, "staging"));
        problems.addAll(missingKey(run, "development"));
        return problems;
    }

    /** {@code chosen} without its key, every other key present and accepted upstream: none may be used. */
    private static List<Problem> missingKey(LabRun run, String chosen) {
        List<Problem> problems = new ArrayList<>();
        String variable = VARIABLES.get(chosen);
        Map<String, Canary> others = new LinkedHashMap<>();
        VARIABLES.values().stream().filter(v -> !v.equals(variable)).sorted().forEach(v -> others.put(v, Canary.fresh()));
        others.put(PLAIN_VARIABLE, Canary.fresh());
        try (OpenAiStub stub = OpenAiStub.start()) {
            // Every other key would be accepted: the check is that none is sent at all.
            stub.acceptKeys(others.values().stream().map(Canary::value).toArray(String[]::new));
            ModuleLaunch launch = run.launch().env("ENVIRONMENT", chosen);
            others.forEach((name, key) -> launch.env(name, key.value()));
            RunResult result = run.run(launch, stub);
            String what = chosen + " chosen, " + variable + " missing";
            for (Map.Entry<String, Canary> other : others.entrySet()) {
                String otherKey = other.getValue().value();
                if (stub.journal().stream().anyMatch(entry -> entry.bearer().equals(otherKey))) {
                    problems.add(new Problem(what + ": C21 " + other.getKey() + "'s key was sent upstream"
                            + (other.getKey().equals("OPENAI_API_KEY_PROD") ? " (the production key)" : ""),
                            "a " + chosen + " run must never use another environment's key, nor OPENAI_API_KEY:"
                                    + " their budgets, limits and audit trails are not this environment's"));
                }
                if (!other.getValue().formsIn(result.stdout() + result.stderr()).isEmpty()) {
                    problems.add(new Problem(what + ": " + other.getKey() + "'s key was printed", LabRun.hintFor(
                            new Finding(Channel.C7, "stderr", "plain"), false)));
                }
            }
            if (result.exitCode() != ExitCode.CONFIG || !ErrorLine.in(result.stderr()).contains(variable)) {
                problems.add(new Problem(what + ": it did not refuse to start naming " + variable + " (exit "
                        + result.exitCode() + ")", "a missing key is a setup error: stop with exit 2 and name the"
                        + " variable to set"));
            }
        }
        return problems;
    }
}
