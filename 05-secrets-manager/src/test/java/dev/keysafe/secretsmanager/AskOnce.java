package dev.keysafe.secretsmanager;

import com.openai.client.OpenAIClient;
import com.openai.credential.BearerTokenCredential;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.common.OpenAiCall.Failure;
import java.util.Map;

/** What one ask through the lesson's call came to: exit code 0 and the answer, or a failure's code and message. */
record AskOnce(int exitCode, String text) {

    /** The model the tests ask; the stub answers any. */
    static final String MODEL = "gpt-4o-mini";

    /** Asks {@code question} with {@link RetryAfterRotation#ask}, as {@link Ask} does. */
    static AskOnce of(OpenAIClient client, SecretsManagerKey key, String question) {
        try {
            return new AskOnce(ExitCode.OK, RetryAfterRotation.ask(client, key, MODEL, question));
        } catch (RuntimeException e) {
            Failure failure = OpenAiCall.explain(e);
            return new AskOnce(failure.exitCode(), failure.message());
        }
    }

    /** A client built as {@link Ask} builds it: the key read from the cache on every request. */
    static OpenAIClient clientFor(SecretsManagerKey key, Map<String, String> env) {
        return OpenAiCall.client(BearerTokenCredential.create(() -> key.current().reveal()), env);
    }
}
