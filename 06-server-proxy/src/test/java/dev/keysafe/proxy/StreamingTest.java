package dev.keysafe.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.proxy.store.Store;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Streams pass through as they arrive, and a client that walks away takes the upstream call with it. */
class StreamingTest {

    @Test
    void first_chunk_reaches_the_client_long_before_the_stream_ends() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start(true, Duration.ofMillis(40));
             TestProxy proxy = TestProxy.start(upstream.baseUrl(), "sk-test-" + TestProxy.randomHex(16))) {
            String token = proxy.issue("gpt-4o-mini");
            long start = System.nanoTime();
            HttpResponse<InputStream> response = proxy.http.send(proxy.request("/v1/chat/completions", token)
                    .POST(HttpRequest.BodyPublishers.ofString(TestProxy.chatStream("gpt-4o-mini"))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());

            try (InputStream body = response.body()) {
                byte[] first = new byte[16];
                int n = body.read(first);
                long firstChunkMillis = (System.nanoTime() - start) / 1_000_000;

                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(new String(first, 0, n, StandardCharsets.UTF_8)).startsWith("data: ");
                // The whole stream takes 200 x 40 ms = 8 s; buffering would hold the first byte that long.
                assertThat(firstChunkMillis).isLessThan(2_000);
            }
        }
    }

    @Test
    void client_that_drops_a_stream_cancels_the_upstream_call_and_is_billed_for_what_it_got() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start(true, Duration.ofMillis(20));
             TestProxy proxy = TestProxy.start(upstream.baseUrl(), "sk-test-" + TestProxy.randomHex(16))) {
            String token = proxy.issue("gpt-4o-mini");
            String id = proxy.store.tokens().get(0).id();
            HttpResponse<InputStream> response = proxy.http.send(proxy.request("/v1/chat/completions", token)
                    .POST(HttpRequest.BodyPublishers.ofString(TestProxy.chatStream("gpt-4o-mini"))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            InputStream body = response.body();
            byte[] some = body.readNBytes(300);
            assertThat(new String(some, StandardCharsets.UTF_8)).contains("\"content\":\"w0 \"");

            body.close();

            assertThat(upstream.streamCancelled.await(5, TimeUnit.SECONDS))
                    .as("the upstream saw its stream cut off by the proxy").isTrue();
            assertThat(upstream.chunksWritten).isLessThan(200);
            // The proxy settles on its own thread after the client has gone: the reservation first, then the
            // ledger row. Wait for both.
            waitFor(() -> proxy.store.budget(id).reservedNanoUsd() == 0 && proxy.store.usage(id).requests() > 0);
            Store.Usage usage = proxy.store.usage(id);
            assertThat(usage.requests()).isEqualTo(1);
            assertThat(usage.completionTokens()).isPositive();
            assertThat(proxy.store.budget(id).spentNanoUsd()).isPositive();
        }
    }

    @Test
    void only_allowlisted_headers_go_upstream_and_the_output_cap_is_filled_in() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start(false, Duration.ZERO);
             TestProxy proxy = TestProxy.start(upstream.baseUrl(), "sk-test-" + TestProxy.randomHex(16))) {
            String token = proxy.issue("test", List.of("gpt-4o-mini"), "5", 100, 77);

            HttpResponse<String> answer = proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"),
                    java.util.Map.of("X-Forwarded-Host", "evil.example", "OpenAI-Organization", "org-other",
                            "OpenAI-Project", "proj-other", "Cookie", "session=1", "X-Upstream-Url",
                            "http://evil.example", "Idempotency-Key", "abc-123"));

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(upstream.received).hasSize(1);
            RecordingUpstream.Received sent = upstream.received.get(0);
            assertThat(sent.path()).isEqualTo("/v1/chat/completions");
            assertThat(sent.headers().keySet()).map(String::toLowerCase)
                    .doesNotContain("x-forwarded-host", "openai-organization", "openai-project", "cookie",
                            "x-upstream-url");
            assertThat(sent.headers().getFirst("Idempotency-Key")).isEqualTo("abc-123");
            assertThat(sent.headers().get("Authorization")).hasSize(1).noneMatch(h -> h.contains(token));
            assertThat(TestProxy.JSON.readTree(sent.body()).path("max_completion_tokens").asInt()).isEqualTo(77);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(20);
        }
    }
}
