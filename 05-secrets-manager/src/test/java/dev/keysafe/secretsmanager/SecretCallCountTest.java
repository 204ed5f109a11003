package dev.keysafe.secretsmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * What the cache saves: Secrets Manager bills per 10,000 calls, and inside one cache TTL (an
 * hour) any number of asks costs the first fetch only. The build asks 1,000 times; the README's
 * figure comes from {@code -Dkeysafe.asks=10000}, and the line this prints.
 */
@Execution(ExecutionMode.CONCURRENT)
class SecretCallCountTest {

    private static final int ASKS = Integer.getInteger("keysafe.asks", 1_000);
    private static final int THREADS = 4;

    @Test
    void a_thousand_asks_inside_one_cache_ttl_cost_at_most_two_secrets_manager_calls() throws Exception {
        Canary canary = Canary.fresh();
        AtomicInteger answered = new AtomicInteger();
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(canary.value());
            String id = Offline.newSecretId("cost");
            secrets.createSecret(id, canary.value());
            Map<String, String> env = Offline.env(secrets, openai, id);
            int clientSideCount;
            long start = System.nanoTime();
            try (SecretsManagerKey key = SecretsManagerKey.from(env, w -> { })) {
                OpenAIClient client = AskOnce.clientFor(key, env);
                AtomicInteger next = new AtomicInteger();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    Thread thread = new Thread(() -> {
                        while (next.getAndIncrement() < ASKS) {
                            if (AskOnce.of(client, key, "count").exitCode() == ExitCode.OK) {
                                answered.incrementAndGet();
                            }
                        }
                    });
                    thread.start();
                    threads.add(thread);
                }
                for (Thread thread : threads) {
                    thread.join();
                }
                client.close();
                clientSideCount = key.secretsManagerCalls();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(answered.get()).isEqualTo(ASKS);
            assertThat(openai.journal()).hasSize(ASKS);
            assertThat(secrets.totalCalls()).as("calls by operation: %s", secrets.calls()).isLessThanOrEqualTo(2);
            assertThat(secrets.calls()).isEqualTo(Map.of("DescribeSecret", 1, "GetSecretValue", 1));
            assertThat(clientSideCount).as("what the module counts is what the endpoint saw").isEqualTo(secrets.totalCalls());
            System.out.printf("cost: %d asks -> %d Secrets Manager calls %s (%d ms)%n", ASKS, secrets.totalCalls(),
                    secrets.calls(), millis);
        }
    }
}
