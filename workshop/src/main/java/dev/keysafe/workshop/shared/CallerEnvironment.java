package dev.keysafe.workshop.shared;

import java.util.HashMap;
import java.util.Map;

/**
 * The caller's environment as the kit passes it to a module it gives its own throwaway key (an
 * offline run, the tour, a lab check, the drill): everything but the variables that could hold a
 * real credential.
 */
public final class CallerEnvironment {

    private CallerEnvironment() {
    }

    /** A developer's real key must never mix into an offline run, nor reach the stub. */
    public static Map<String, String> withoutSecrets(Map<String, String> env) {
        Map<String, String> kept = new HashMap<>(env);
        // PROXY_* too: a developer's alert webhook or admin token must not reach an offline proxy.
        kept.keySet().removeIf(name -> name.startsWith("OPENAI_") || name.startsWith("AWS_")
                || name.startsWith("PROXY_"));
        return kept;
    }
}
