package dev.keysafe.proxy.key;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.Fingerprint;
import dev.keysafe.proxy.RecordingUpstream;
import dev.keysafe.proxy.app.AppConfig;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.proxy.store.Store;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.secrets.KeyRotation;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotating the upstream key while clients keep calling: the new key is read from the mounted file
 * (OPENAI_API_KEY_FILE) or from AWS Secrets Manager (OPENAI_SECRET_ID, rotated through its stages),
 * and not one client request fails, whether the operator announces the rotation ({@code POST
 * /admin/rotate}) or the upstream retires the old key first.
 */
class KeyRotationTest {

    static final int CLIENTS = 6;
    static final String SECRET_ID = "keysafe/openai-api-key";

    /**
     * A proxy in front of {@code upstream} reading its key from {@code keyFile} (OPENAI_API_KEY_FILE),
     * the file's watch slowed to an hour so the test decides what moves it to a new key.
     */
    private static TestProxy onKeyFile(RecordingUpstream upstream, Path keyFile) {
        return TestProxy.start(upstream.baseUrl(),
                UpstreamKey.sourceFrom(Map.of(UpstreamKey.FILE_VARIABLE, keyFile.toString())), Map.of(),
                c -> c.withHousekeeping(Duration.ofHours(1), AppConfig.Housekeeping.STORE_UPKEEP));
    }

    @Test
    void rotation_under_load_with_admin_rotate_has_zero_failed_requests(@TempDir Path dir) throws Exception {
        String oldKey = "sk-test-old-" + TestProxy.randomHex(16);
        String newKey = "sk-test-new-" + TestProxy.randomHex(16);
        Path keyFile = Files.writeString(dir.resolve("openai.key"), oldKey + "\n");
        // Here the rotate call is what moves the proxy to the new key.
        try (RecordingUpstream upstream = RecordingUpstream.start(false, Duration.ZERO);
             TestProxy proxy = onKeyFile(upstream, keyFile)) {
            upstream.validKeys.add(oldKey);
            Load load = Load.start(proxy, proxy.issue("gpt-4o-mini"));

            load.awaitMore(40);
            // The transition: the new key is live upstream while the old still works.
            upstream.validKeys.add(newKey);
            Files.writeString(keyFile, newKey + "\n");
            HttpResponse<String> rotated = proxy.post("/admin/rotate", proxy.adminToken, "");
            // A call that read the old key just before the rotate may reach the upstream much later:
            // the old key is retired only once each of those has come back.
            load.awaitCallsInFlight();
            load.awaitMore(40);
            upstream.validKeys.remove(oldKey);
            load.awaitMore(40);
            List<Integer> statuses = load.stop();

            assertThat(rotated.statusCode()).isEqualTo(200);
            assertThat(TestProxy.json(rotated).path("changed").asBoolean()).isTrue();
            assertThat(statuses).hasSizeGreaterThanOrEqualTo(120).containsOnly(200);
            List<String> bearers = upstream.received.stream().map(RecordingUpstream.Received::bearer).toList();
            assertThat(bearers).contains(oldKey, newKey).containsOnly(oldKey, newKey);
            assertThat(bearers.subList(bearers.size() - 30, bearers.size())).containsOnly(newKey);
            assertThat(proxy.store.auditLog(10)).extracting(Store.AuditEvent::action).contains("key.rotate");
        }
    }

    @Test
    void upstream_refusing_the_old_key_triggers_one_refresh_and_retry_with_zero_failed_requests(@TempDir Path dir)
            throws Exception {
        String oldKey = "sk-test-old-" + TestProxy.randomHex(16);
        String newKey = "sk-test-new-" + TestProxy.randomHex(16);
        Path keyFile = Files.writeString(dir.resolve("openai.key"), oldKey);
        // The upstream retires the old key before the watch could see the new file, so the first refusal is
        // what moves the proxy (KeyFileWatchTest shows the watch itself).
        try (RecordingUpstream upstream = RecordingUpstream.start(false, Duration.ZERO);
             TestProxy proxy = onKeyFile(upstream, keyFile)) {
            upstream.validKeys.add(oldKey);
            Load load = Load.start(proxy, proxy.issue("gpt-4o-mini"));

            load.awaitMore(40);
            // Unannounced: the secret file changes and the old key dies at once.
            Files.writeString(keyFile, newKey);
            upstream.validKeys.add(newKey);
            upstream.validKeys.remove(oldKey);
            // A call that read the old key before the first refusal may reach the upstream much later (and be
            // retried): once the proxy has moved on, wait for those, so the last calls all begin on the new key.
            awaitKey(proxy, newKey);
            load.awaitCallsInFlight();
            load.awaitMore(60);
            List<Integer> statuses = load.stop();

            assertThat(statuses).hasSizeGreaterThanOrEqualTo(100).containsOnly(200);
            List<String> bearers = upstream.received.stream().map(RecordingUpstream.Received::bearer).toList();
            long retries = bearers.size() - statuses.size();
            assertThat(bearers).containsOnly(oldKey, newKey);
            // Each client had at most one call refused before the first refusal loaded the new key,
            // and each refused call was retried exactly once.
            assertThat(retries).isBetween(1L, (long) CLIENTS);
            assertThat(bearers.subList(bearers.size() - 30, bearers.size())).containsOnly(newKey);
            assertThat(proxy.upstreamKey.current().fingerprint()).isEqualTo("..." + newKey.substring(newKey.length() - 4));
        }
    }

    @Test
    void rotation_in_secrets_manager_announced_with_admin_rotate_has_zero_failed_requests() throws Exception {
        Canary first = Canary.fresh();
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start();
             OpenAiStub openai = OpenAiStub.start().acceptKeys(first.value())) {
            secrets.createSecret(SECRET_ID, first.value());
            KeyRotation rotation = KeyRotation.of(secrets, SECRET_ID, openai);
            try (SecretsManagerSource source = TestProxy.secretsManagerSource(secrets, SECRET_ID);
                 TestProxy proxy = TestProxy.start(openai.baseUrl(), source, Map.of(), c -> c)) {
                Load load = Load.start(proxy, proxy.issue("gpt-4o-mini"));

                load.awaitMore(40);
                // AWSPENDING, tested against the API, then AWSCURRENT: both keys work for now.
                rotation.promoteNewKey();
                load.awaitMore(20);
                HttpResponse<String> rotated = proxy.post("/admin/rotate", proxy.adminToken, "");
                // A call that read the old key just before the rotate may reach the upstream much later: revoked
                // by then, it would be refused and retried. The grace period lasts until each has come back.
                load.awaitCallsInFlight();
                load.awaitMore(40);
                // The grace period is over: the old key is revoked.
                rotation.revokePrevious();
                load.awaitMore(40);
                List<Integer> statuses = load.stop();

                assertThat(rotated.statusCode()).isEqualTo(200);
                assertThat(TestProxy.json(rotated).path("changed").asBoolean()).isTrue();
                assertThat(statuses).hasSizeGreaterThanOrEqualTo(140).containsOnly(200);
                List<String> sent = TestProxy.keysSentToChat(openai,
                        Map.of("old", first, "new", Canary.of(rotation.currentKey())));
                // Announced: no request was refused, so each went upstream once.
                assertThat(sent).hasSize(statuses.size()).contains("old", "new").containsOnly("old", "new");
                assertThat(sent.subList(sent.size() - 30, sent.size())).containsOnly("new");
                // The first fetch and the one on rotate (describe, then get each time).
                assertThat(secrets.totalCalls()).isLessThanOrEqualTo(4);
            }
        }
    }

    @Test
    void rotation_in_secrets_manager_with_the_old_key_revoked_unannounced_retries_once_with_zero_failed_requests()
            throws Exception {
        Canary first = Canary.fresh();
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start();
             OpenAiStub openai = OpenAiStub.start().acceptKeys(first.value())) {
            secrets.createSecret(SECRET_ID, "{\"OPENAI_API_KEY\":\"" + first.value() + "\",\"owner\":\"proxy\"}");
            KeyRotation rotation = KeyRotation.of(secrets, SECRET_ID, openai);
            try (SecretsManagerSource source = TestProxy.secretsManagerSource(secrets, SECRET_ID);
                 TestProxy proxy = TestProxy.start(openai.baseUrl(), source, Map.of(), c -> c)) {
                Load load = Load.start(proxy, proxy.issue("gpt-4o-mini"));

                load.awaitMore(40);
                // Nobody tells the proxy: its cached key is revoked right after the promotion.
                rotation.promoteNewKey();
                rotation.revokePrevious();
                // A call that read the old key before the first refusal may reach the upstream much later (and be
                // retried): once the proxy has moved on, wait for those, so the last calls all begin on the new key.
                awaitKey(proxy, rotation.currentKey());
                load.awaitCallsInFlight();
                load.awaitMore(60);
                List<Integer> statuses = load.stop();

                assertThat(statuses).hasSizeGreaterThanOrEqualTo(100).containsOnly(200);
                List<String> sent = TestProxy.keysSentToChat(openai,
                        Map.of("old", first, "new", Canary.of(rotation.currentKey())));
                long retries = sent.size() - statuses.size();
                assertThat(sent).contains("old", "new").containsOnly("old", "new");
                // Each client had at most one call refused before the first refusal fetched the new key.
                assertThat(retries).isBetween(1L, (long) CLIENTS);
                assertThat(sent.subList(sent.size() - 30, sent.size())).containsOnly("new");
                // The refused clients shared one fetch.
                assertThat(secrets.totalCalls()).isLessThanOrEqualTo(4);
            }
        }
    }

    /** Waits until the proxy sends {@code key} upstream from now on (the first refusal of the old one moves it). */
    private static void awaitKey(TestProxy proxy, String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!proxy.upstreamKey.current().fingerprint().equals(Fingerprint.of(key))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the proxy did not move to the new key within 30 s");
            }
            Thread.sleep(5);
        }
    }

    /** Clients calling the proxy in a loop until stopped, each status kept. */
    private static final class Load {
        final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        final AtomicBoolean running = new AtomicBoolean(true);
        final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        final AtomicInteger done = new AtomicInteger();
        final AtomicLongArray doneByClient = new AtomicLongArray(CLIENTS);

        static Load start(TestProxy proxy, String token) {
            Load load = new Load();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                load.pool.submit(() -> {
                    while (load.running.get()) {
                        load.statuses.add(proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"))
                                .statusCode());
                        load.done.incrementAndGet();
                        load.doneByClient.incrementAndGet(client);
                    }
                });
            }
            return load;
        }

        /**
         * Waits until each client has finished the call it is making now, however long it stalls: every
         * call after that reads the proxy's key after this moment.
         */
        void awaitCallsInFlight() throws InterruptedException {
            long[] before = new long[CLIENTS];
            for (int i = 0; i < CLIENTS; i++) {
                before[i] = doneByClient.get(i);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < CLIENTS; i++) {
                while (doneByClient.get(i) == before[i]) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("client " + i + " did not finish its call within 30 s");
                    }
                    Thread.sleep(5);
                }
            }
        }

        void awaitMore(int requests) throws InterruptedException {
            int target = done.get() + requests;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (done.get() < target && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }

        List<Integer> stop() throws InterruptedException {
            running.set(false);
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            return List.copyOf(statuses);
        }
    }
}
