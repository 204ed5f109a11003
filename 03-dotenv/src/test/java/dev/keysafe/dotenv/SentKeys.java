package dev.keysafe.dotenv;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.util.List;
import java.util.Map;

/**
 * The keys the stub received, by the names a test gave them, so that an assertion (and its
 * failure message in a test report) says which key went upstream without printing it.
 */
final class SentKeys {

    private SentKeys() {
    }

    /** One name per request, oldest first: a name from {@code keys}, "(another key)" or "(no key)". */
    static List<String> named(OpenAiStub stub, Map<String, Canary> keys) {
        return stub.bearerTokens().stream()
                .map(token -> keys.entrySet().stream()
                        .filter(named -> named.getValue().value().equals(token))
                        .map(Map.Entry::getKey)
                        .findFirst()
                        .orElse(token.isEmpty() ? "(no key)" : "(another key)"))
                .toList();
    }
}
