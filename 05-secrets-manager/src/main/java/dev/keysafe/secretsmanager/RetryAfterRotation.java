package dev.keysafe.secretsmanager;

import com.openai.client.OpenAIClient;
import com.openai.errors.UnauthorizedException;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.OpenAiCall;
import java.util.function.Supplier;

/**
 * The one retry a key rotation needs: a call OpenAI refuses with 401 is sent once more, and only
 * when the secret now holds a different key (it was rotated and the old key revoked). A key that
 * is just wrong is refused once, and that refusal stands; refused while Secrets Manager is down,
 * the failure says both, within seconds.
 */
public final class RetryAfterRotation {

    private RetryAfterRotation() {
    }

    /** OpenAI refused the key, and Secrets Manager could not be read for a newer one. */
    public static final class RefusedWhileUnreachable extends RuntimeException {
        RefusedWhileUnreachable(String secretId) {
            super("OpenAI refused the key (HTTP 401), and Secrets Manager cannot be reached to read a newer one from "
                    + secretId + " (no answer, or errors): check AWS_REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER and the "
                    + "network; if the key was revoked, put the new one in the secret.", null, false, false);
        }
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
     * @throws RefusedWhileUnreachable when the key is refused and Secrets Manager cannot be read
     */
    public static <T> T call(SecretsManagerKey key, Supplier<T> call) {
        ApiKey used = key.current();
        try {
            return call.get();
        } catch (UnauthorizedException refused) {
            if (key.refreshAfterRejection(used)) {
                return call.get();
            }
            if (!key.reachable()) {
                throw new RefusedWhileUnreachable(key.secretId());
            }
            throw refused;
        }
    }
}
