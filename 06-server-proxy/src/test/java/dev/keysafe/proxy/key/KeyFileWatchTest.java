package dev.keysafe.proxy.key;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.proxy.LogCapture;
import dev.keysafe.proxy.RecordingUpstream;
import dev.keysafe.proxy.app.AppConfig;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.proxy.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPENAI_API_KEY_FILE is watched: a new key written to the file, in place or swapped in by rename as
 * Kubernetes does with a mounted secret, is used from the next request, with no rotate call and no
 * failed request; a new content that is not a key keeps the key in use and raises an alert.
 */
class KeyFileWatchTest {

    final String oldKey = "sk-test-old-" + TestProxy.randomHex(16);
    final String newKey = "sk-test-new-" + TestProxy.randomHex(16);

    @Test
    void a_new_key_written_in_place_is_used_within_seconds_with_no_rotate_and_no_failed_request(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("openai.key"), oldKey + "\n");
        // The default check, once a second: what a deployment gets.
        try (RecordingUpstream upstream = RecordingUpstream.start(false, Duration.ZERO);
             TestProxy proxy = proxyOn(upstream, file, AppConfig.Housekeeping.KEY_FILE_CHECK)) {
            upstream.validKeys.addAll(List.of(oldKey, newKey));
            Client client = Client.start(proxy);
            client.awaitMore(upstream, 10);

            long written = System.nanoTime();
            Files.writeString(file, newKey + "\n");
            long firstNewCall = awaitKey(upstream, newKey);
            client.awaitMore(upstream, 10);
            List<Integer> statuses = client.stop();

            assertThat((firstNewCall - written) / 1_000_000).as("ms until the new key was used").isLessThan(10_000);
            assertNoOldKeyAfterTheNewOne(upstream);
            assertThat(statuses).hasSizeGreaterThanOrEqualTo(20).containsOnly(200);
            assertThat(proxy.store.auditLog(10)).extracting(Store.AuditEvent::action).as("no rotate call")
                    .containsOnly("token.create");
            assertThat(proxy.upstreamKey.current().fingerprint()).isEqualTo("..." + newKey.substring(newKey.length() - 4));
        }
    }

    @Test
    void a_new_key_swapped_in_by_rename_as_kubernetes_does_is_used_with_no_failed_request(@TempDir Path dir)
            throws Exception {
        // Kubernetes' layout: the file is a link through ..data, a link to a folder named for its version.
        Files.createDirectory(dir.resolve("..2026_01_01"));
        Files.writeString(dir.resolve("..2026_01_01/openai.key"), oldKey);
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_01_01"));
        Path file = Files.createSymbolicLink(dir.resolve("openai.key"), Path.of("..data/openai.key"));
        try (RecordingUpstream upstream = RecordingUpstream.start(false, Duration.ZERO);
             TestProxy proxy = proxyOn(upstream, file, Duration.ofMillis(200))) {
            upstream.validKeys.addAll(List.of(oldKey, newKey));
            Client client = Client.start(proxy);
            client.awaitMore(upstream, 10);

            // The new version in a folder of its own, then ..data swapped to it in one rename.
            Files.createDirectory(dir.resolve("..2026_01_02"));
            Files.writeString(dir.resolve("..2026_01_02/openai.key"), newKey);
            Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..2026_01_02"));
            Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            awaitKey(upstream, newKey);
            // The grace period is over: the old key is revoked upstream.
            upstream.validKeys.remove(oldKey);
            client.awaitMore(upstream, 10);
            List<Integer> statuses = client.stop();

            assertNoOldKeyAfterTheNewOne(upstream);
            assertThat(statuses).hasSizeGreaterThanOrEqualTo(20).containsOnly(200);
            assertThat(proxy.store.auditLog(10)).extracting(Store.AuditEvent::action).as("no rotate call")
                    .containsOnly("token.create");
        }
    }

    @Test
    void a_new_content_that_is_not_a_key_keeps_the_key_in_use_and_raises_an_alert(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("openai.key"), oldKey);
        try (LogCapture logs = LogCapture.everythingAtTrace();
             RecordingUpstream upstream = RecordingUpstream.start(false, Duration.ZERO);
             TestProxy proxy = proxyOn(upstream, file, Duration.ofMillis(200))) {
            upstream.validKeys.add(oldKey);
            Client client = Client.start(proxy);
            client.awaitMore(upstream, 5);

            Files.writeString(file, "");
            awaitAlerts(logs, 1);
            // Into the empty file in one write, not truncate-then-write: truncating stamps the empty file anew,
            // and a writer stalled for a check would show a second empty version, alerted for on its own.
            Files.writeString(file, "{\"OPENAI_API_KEY\": \"" + newKey + "\"}\n", StandardOpenOption.WRITE);
            awaitAlerts(logs, 2);
            client.awaitMore(upstream, 5);
            List<String> sentBeforeTheGoodKey = bearers(upstream);
            // A good key last, by rename this time: the watch takes it.
            upstream.validKeys.add(newKey);
            Files.writeString(dir.resolve("openai.key.new"), newKey);
            Files.move(dir.resolve("openai.key.new"), file, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            awaitKey(upstream, newKey);
            List<Integer> statuses = client.stop();

            assertThat(sentBeforeTheGoodKey).as("the old key kept serving").containsOnly(oldKey);
            assertThat(statuses).containsOnly(200);
            assertThat(alerts(logs)).hasSize(2).allSatisfy(alert -> assertThat(alert)
                    .contains("\"alert\":\"upstream_key_file_unusable\"").contains("\"setting\":\"OPENAI_API_KEY_FILE\"")
                    .contains("\"key_in_use\":\"..." + oldKey.substring(oldKey.length() - 4) + "\""));
            assertThat(logs.text()).doesNotContain(oldKey).doesNotContain(newKey);
        }
    }

    @Test
    void the_file_is_checked_every_second_by_default() {
        assertThat(AppConfig.Housekeeping.KEY_FILE_CHECK).isEqualTo(Duration.ofSeconds(1));
    }

    private static TestProxy proxyOn(RecordingUpstream upstream, Path file, Duration check) {
        return TestProxy.start(upstream.baseUrl(), UpstreamKey.sourceFrom(Map.of(UpstreamKey.FILE_VARIABLE,
                file.toString())), Map.of(), c -> c.withHousekeeping(check, AppConfig.Housekeeping.STORE_UPKEEP));
    }

    private static List<String> bearers(RecordingUpstream upstream) {
        return upstream.received.stream().map(RecordingUpstream.Received::bearer).toList();
    }

    /** Once a call went out with the new key, none goes out with the old one (one client calls in turn). */
    private void assertNoOldKeyAfterTheNewOne(RecordingUpstream upstream) {
        List<String> sent = bearers(upstream);
        int first = sent.indexOf(newKey);
        assertThat(sent.subList(0, first)).containsOnly(oldKey);
        assertThat(sent.subList(first, sent.size())).hasSizeGreaterThanOrEqualTo(10).containsOnly(newKey);
    }

    private static long awaitKey(RecordingUpstream upstream, String key) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!bearers(upstream).contains(key)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the new key was not used within 15 s");
            }
            Thread.sleep(5);
        }
        return System.nanoTime();
    }

    private static List<String> alerts(LogCapture logs) {
        return logs.text().lines().filter(line -> line.contains("ALERT {\"alert\":\"upstream_key_file_unusable\""))
                .toList();
    }

    private static void awaitAlerts(LogCapture logs, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (alerts(logs).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no alert within 10 s");
            }
            Thread.sleep(20);
        }
    }

    /** One client calling the proxy in turn, without pause, until stopped; every status kept. */
    private static final class Client {
        final AtomicBoolean running = new AtomicBoolean(true);
        final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        final Thread thread;

        private Client(TestProxy proxy, String token) {
            thread = new Thread(() -> {
                while (running.get()) {
                    statuses.add(proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")).statusCode());
                }
            }, "key-file-client");
            thread.start();
        }

        static Client start(TestProxy proxy) {
            return new Client(proxy, proxy.issue("gpt-4o-mini"));
        }

        void awaitMore(RecordingUpstream upstream, int calls) throws InterruptedException {
            int target = upstream.received.size() + calls;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (upstream.received.size() < target && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }

        List<Integer> stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            return List.copyOf(statuses);
        }
    }
}
