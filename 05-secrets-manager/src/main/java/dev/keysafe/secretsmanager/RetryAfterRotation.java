package dev.keysafe.secretsmanager;

import com.openai.client.OpenAIClient;
import com.openai.errors.UnauthorizedException;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.OpenAiCall;
import java.util.function.Supplier;

/**
 * The one retry a key rotation needs: a call OpenAI refuses with 401 is sent once more, and only
 * when the secret now holds a different key (it was rotated and the old key revoked). A key that
 * is just wrong is refused once, and that refusal stands.
 */
public final class RetryAfterRotation {

    private RetryAfterRotation() {
    }

    /** {@link OpenAiCall#ask}, with the retry: the lesson's one call. */
    public static String ask(OpenAIClient client, SecretsManagerKey key, String model, String question) {
        return call(key, () -> OpenAiCall.ask(client, model, question));
    }

    /**
     * {@code call}, made with the key's client; if OpenAI refuses the key, the secret is fetched
     * again at once and the call made one more time when it holds a newer key.
     *
     * @throws UnauthorizedException when the key is refused and the secret holds nothing newer
     */
    public static <T> T call(SecretsManagerKey key, Supplier<T> call) {
        ApiKey used = key.current();
        try {
            return call.get();
        } catch (UnauthorizedException refused) {
            if (key.refreshAfterRejection(used)) {
                return call.get();
            }
            throw refused;
        }
    }
}
