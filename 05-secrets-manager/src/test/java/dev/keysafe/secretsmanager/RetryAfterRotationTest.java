package dev.keysafe.secretsmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.errors.UnauthorizedException;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The lesson's one retry: after a 401 the secret is fetched again, and the call made once more
 * only when the secret holds a newer key; a key that is simply refused is refused once.
 */
@Execution(ExecutionMode.CONCURRENT)
class RetryAfterRotationTest {

    private static final SecretsManagerEmulator secrets = Offline.sharedEmulator();

    @Test
    void a_call_refused_after_a_rotation_is_made_once_more_with_the_new_key() {
        Canary first = Canary.fresh();
        Canary second = Canary.fresh();
        String id = Offline.newSecretId("retry-rotated");
        secrets.createSecret(id, first.value());
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(first.value());
            Map<String, String> env = Offline.env(secrets, openai, id);
            try (SecretsManagerKey key = SecretsManagerKey.from(env, w -> { })) {
                OpenAIClient client = AskOnce.clientFor(key, env);
                assertThat(RetryAfterRotation.ask(client, key, AskOnce.MODEL, "warm up")).isEqualTo(OpenAiStub.ANSWER);

                // Rotated while the cache still holds the first key, which is then revoked.
                secrets.putSecretValue(id, second.value(), "AWSCURRENT");
                openai.acceptOnly(second.value());
                String answer = RetryAfterRotation.ask(client, key, AskOnce.MODEL, "after the rotation");
                client.close();

                assertThat(answer).isEqualTo(OpenAiStub.ANSWER);
                assertThat(openai.keysSentNamed(Map.of("first", first, "second", second)))
                        .as("answered, refused, retried once with the new key").containsExactly("first", "first", "second");
                assertThat(key.current().fingerprint()).isEqualTo(second.fingerprint());
            }
        }
    }

    @Test
    void a_refused_key_with_nothing_newer_in_the_secret_is_not_retried() {
        Canary refused = Canary.fresh();
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptOnly(Canary.fresh().value());
            Map<String, String> env = Offline.envWithSecret(secrets, openai, refused.value());
            try (SecretsManagerKey key = SecretsManagerKey.from(env, w -> { })) {
                OpenAIClient client = AskOnce.clientFor(key, env);
                key.current();
                int fetched = key.secretsManagerCalls();

                assertThatThrownBy(() -> RetryAfterRotation.ask(client, key, AskOnce.MODEL, "refused"))
                        .isInstanceOf(UnauthorizedException.class);
                client.close();

                assertThat(openai.keysSentNamed(Map.of("refused", refused))).as("calls made").containsExactly("refused");
                assertThat(key.secretsManagerCalls()).as("the secret fetched again, past the cache").isGreaterThan(fetched);
            }
        }
    }

    @Test
    void a_call_that_is_not_refused_is_made_once() {
        Canary canary = Canary.fresh();
        AtomicInteger calls = new AtomicInteger();
        try (SecretsManagerKey key = SecretsManagerKey.from(Offline.envWithSecret(secrets, null, canary.value()), w -> { })) {
            String result = RetryAfterRotation.call(key, () -> "called " + calls.incrementAndGet());

            assertThat(result).isEqualTo("called 1");
            assertThat(calls).hasValue(1);
        }
    }
}
