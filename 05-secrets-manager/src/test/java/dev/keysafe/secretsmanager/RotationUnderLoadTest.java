package dev.keysafe.secretsmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.secrets.KeyRotation;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** A rotation in the Secrets Manager stages while several threads ask: no call fails. */
@Execution(ExecutionMode.CONCURRENT)
class RotationUnderLoadTest {

    private static final int THREADS = 6;
    private static final int ROTATIONS = 2;

    @Test
    void asks_from_several_threads_lose_no_call_while_the_key_rotates_and_the_old_key_ends_up_rejected()
            throws Exception {
        Canary first = Canary.fresh();
        List<String> warnings = new CopyOnWriteArrayList<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicInteger asks = new AtomicInteger();
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(first.value());
            String id = Offline.newSecretId("rotation");
            secrets.createSecret(id, Offline.asJson(first.value()));
            Map<String, String> env = Offline.env(secrets, openai, id);
            KeyRotation rotation = KeyRotation.of(secrets, id, openai);

            try (SecretsManagerKey key = SecretsManagerKey.from(env, warnings::add)) {
                OpenAIClient client = AskOnce.clientFor(key, env);
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    Thread thread = new Thread(() -> {
                        while (!stop.get()) {
                            AskOnce outcome = AskOnce.of(client, key, "under load");
                            asks.incrementAndGet();
                            if (outcome.exitCode() != ExitCode.OK) {
                                failures.add(outcome.text());
                            }
                        }
                    });
                    thread.start();
                    threads.add(thread);
                }
                // Paced by asks, not by the clock, so a loaded machine still rotates under traffic.
                awaitAsks(asks, 100);
                for (int round = 0; round < ROTATIONS; round++) {
                    rotation.promoteNewKey();   // new key AWSCURRENT, old one AWSPREVIOUS and still accepted
                    awaitAsks(asks, asks.get() + 100);
                    rotation.revokePrevious();  // the grace period is over: the old key gets 401
                    awaitAsks(asks, asks.get() + 100);
                }
                stop.set(true);
                for (Thread thread : threads) {
                    thread.join(10_000);
                }
                client.close();
            }

            List<String> sent = openai.keysSentNamed(Map.of("first", first,
                    "second", Canary.of(rotation.previousKey()), "third", Canary.of(rotation.currentKey())));
            assertThat(failures).as("failed calls").isEmpty();
            assertThat(asks.get()).as("asks made").isGreaterThanOrEqualTo(100 + 200 * ROTATIONS);
            assertThat(sent).contains("first", "second", "third").doesNotContain("(another key)", "(no key)");
            assertThat(sent.subList(sent.size() - 20, sent.size())).as("the last calls").containsOnly("third");
            assertThat(statusWith(openai, first.value())).as("the first key after revocation").isEqualTo(401);
            assertThat(statusWith(openai, rotation.previousKey())).as("the second key after revocation").isEqualTo(401);
            // The first fetch costs two calls (describe, get); after each revocation the threads
            // refused together refresh once: two more.
            assertThat(secrets.totalCalls()).as("Secrets Manager calls: %s", secrets.calls())
                    .isLessThanOrEqualTo(2 + 2 * ROTATIONS);
        }
        assertThat(warnings).isEmpty();
    }

    private static void awaitAsks(AtomicInteger asks, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (asks.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + atLeast + " asks in 30 s");
            }
            Thread.sleep(10);
        }
    }

    private static int statusWith(OpenAiStub openai, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(openai.baseUrl() + "/models"))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
