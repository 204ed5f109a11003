package dev.keysafe.secretsmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator.Outage;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Secrets Manager down: a warm cache keeps serving, a cold start fails fast with exit 2. */
@Execution(ExecutionMode.CONCURRENT)
class OutageTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Outage.class, names = {"REFUSE_CONNECTIONS", "SERVER_ERROR"})
    void a_warm_cache_keeps_serving_through_an_outage_and_warns_without_the_key(Outage outage) {
        Canary canary = Canary.fresh();
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(canary.value());
            String id = Offline.newSecretId("warm");
            secrets.createSecret(id, canary.value());
            Map<String, String> env = Offline.env(secrets, openai, id);
            try (SecretsManagerKey key = SecretsManagerKey.from(env, warnings::add)) {
                OpenAIClient client = AskOnce.clientFor(key, env);
                assertThat(AskOnce.of(client, key, "warm up").exitCode()).isEqualTo(ExitCode.OK);

                secrets.outage(outage);
                boolean refreshed = key.refreshAfterRejection(key.current());
                List<Integer> exits = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    exits.add(AskOnce.of(client, key, "during the outage").exitCode());
                }
                client.close();

                assertThat(refreshed).as("a forced refresh cannot succeed during the outage").isFalse();
                assertThat(exits).containsOnly(ExitCode.OK);
                assertThat(openai.keysSentNamed(Map.of("planted", canary))).hasSize(6).containsOnly("planted");
            }
        }
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("could not be refreshed").contains(canary.fingerprint());
        assertThat(Detectors.inText(canary, Channel.C7, "warnings", String.join("\n", warnings))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Outage.class, names = {"REFUSE_CONNECTIONS", "SERVER_ERROR"})
    void a_cold_start_during_an_outage_exits_2_within_seconds(Outage outage) {
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            String id = Offline.newSecretId("cold");
            secrets.createSecret(id, Canary.fresh().value());
            secrets.outage(outage);

            InProcessRun run = InProcessRun.of(Offline.env(secrets, openai, id), "hi");

            assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
            assertThat(run.err()).contains(outage == Outage.SERVER_ERROR ? "HTTP 500 InternalServiceError" : "could not be reached")
                    .contains("no key is cached").doesNotContain("Exception\n").doesNotContain("\tat ");
            assertThat(run.out()).isEmpty();
            assertThat(run.took()).isLessThan(Duration.ofSeconds(5));
            assertThat(openai.journal()).as("no call upstream without a key").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Outage.class, names = {"REFUSE_CONNECTIONS", "SERVER_ERROR"})
    void a_key_refused_while_secrets_manager_is_down_fails_within_seconds_saying_both(Outage outage) {
        Canary canary = Canary.fresh();
        List<Duration> refusals = new CopyOnWriteArrayList<>();
        List<String> messages = new CopyOnWriteArrayList<>();
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(canary.value());
            String id = Offline.newSecretId("refused");
            secrets.createSecret(id, canary.value());

            InProcessRun run = InProcessRun.of((env, args, out, err) -> Ask.run(env, args, out, err,
                    (client, key, model, question) -> {
                        String warm = RetryAfterRotation.ask(client, key, model, question);
                        // A long outage, and meanwhile the key is revoked: each ask is refused again. The
                        // cache would wait out a growing backoff before each (1, 2, 4 ... up to 128 s).
                        secrets.outage(outage);
                        openai.acceptOnly(Canary.fresh().value());
                        for (int i = 0; i < 5; i++) {
                            long start = System.nanoTime();
                            try {
                                RetryAfterRotation.ask(client, key, model, question);
                            } catch (RetryAfterRotation.RefusedWhileUnreachable refused) {
                                refusals.add(Duration.ofNanos(System.nanoTime() - start));
                                messages.add(refused.getMessage());
                            }
                        }
                        return warm + RetryAfterRotation.ask(client, key, model, question);
                    }), Offline.env(secrets, openai, id), "hi");

            List<String> said = run.err().lines().toList();
            assertThat(run.exitCode()).isEqualTo(ExitCode.AUTH);
            assertThat(said.get(said.size() - 1)).startsWith("OpenAI refused the key (HTTP 401), and Secrets Manager "
                    + "cannot be reached to read a newer one from " + id).contains("AWS_ENDPOINT_URL_SECRETS_MANAGER");
            assertThat(said.subList(0, said.size() - 1)).as("the cache's warnings before it")
                    .allSatisfy(line -> assertThat(line).contains("could not be refreshed"));
            assertThat(run.err()).doesNotContain("Exception").doesNotContain(canary.value());
            assertThat(run.out()).isEmpty();
            assertThat(refusals).as("each refusal within seconds").hasSize(5)
                    .allSatisfy(took -> assertThat(took).isLessThan(Duration.ofSeconds(2)));
            assertThat(messages).containsOnly(said.get(said.size() - 1));
            assertThat(openai.keysSentNamed(Map.of("planted", canary))).as("warm-up, then six refused, none retried")
                    .hasSize(7).containsOnly("planted");
        }
    }

    @Test
    void a_cold_start_against_a_hanging_secrets_manager_gives_up_within_seconds() {
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            String id = Offline.newSecretId("slow");
            secrets.createSecret(id, Canary.fresh().value());
            secrets.slowness(Duration.ofSeconds(30));

            InProcessRun run = InProcessRun.of(Offline.env(secrets, openai, id), "hi");

            assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
            assertThat(run.err()).contains("could not be reached");
            assertThat(run.took()).isLessThan(Duration.ofSeconds(8));
            secrets.slowness(Duration.ZERO);
        }
    }
}
