package dev.keysafe.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.Json;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.proxy.store.Store;
import dev.keysafe.testkit.Canary;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An upstream that starts answering and then falls silent (PROXY_STREAM_IDLE_TIMEOUT_SECONDS): the
 * client gets what came before the silence and then an error event in OpenAI's shape, and its
 * stream ends; the upstream call is cancelled, the cost settled from what was sent, one line logged
 * (no body, no key), and the proxy goes on serving.
 */
class StreamIdleTimeoutTest {

    static final Canary KEY = Canary.fresh();

    @Test
    void a_stream_whose_upstream_falls_silent_ends_with_an_error_event_and_is_billed_for_what_it_sent()
            throws Exception {
        try (SilentUpstream upstream = SilentUpstream.start();
             LogCapture logs = LogCapture.everythingAtTrace();
             TestProxy proxy = TestProxy.start(upstream.baseUrl(), () -> ApiKey.of(KEY.value()),
                     Map.of("PROXY_STREAM_IDLE_TIMEOUT_SECONDS", "1"), c -> c)) {
            String token = proxy.issue("gpt-4o-mini");
            String id = proxy.store.tokens().get(0).id();
            logs.clear();
            long start = System.nanoTime();

            HttpResponse<InputStream> response = proxy.http.send(proxy.request("/v1/chat/completions", token)
                    .POST(HttpRequest.BodyPublishers.ofString(TestProxy.chatStream("gpt-4o-mini"))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String received;
            try (InputStream body = response.body()) {
                // Bounded: without the timeout this read would wait for as long as the upstream stays silent.
                received = CompletableFuture.supplyAsync(() -> readAll(body)).get(6, TimeUnit.SECONDS);
            }
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(response.statusCode()).isEqualTo(200);
            List<String> events = received.lines().filter(line -> line.startsWith("data: ")).toList();
            assertThat(events).hasSize(SilentUpstream.CHUNKS + 1);
            assertThat(events.get(0)).contains("\"content\":\"w0 \"");
            assertThat(events.get(1)).contains("\"content\":\"w1 \"");
            JsonNode error = Json.read(events.get(2).substring(6)).path("error");
            assertThat(error.path("message").asText()).isEqualTo("The answer from OpenAI broke off.");
            assertThat(error.path("type").asText()).isEqualTo("upstream_error");
            assertThat(tookMillis).as("ended after the 1 s of silence, not later").isBetween(900L, 4_000L);
            assertThat(upstream.cancelled.await(5, TimeUnit.SECONDS)).as("the upstream call was cancelled").isTrue();

            waitFor(() -> proxy.store.budget(id).reservedNanoUsd() == 0);
            Store.Usage usage = proxy.store.usage(id);
            assertThat(usage.requests()).isEqualTo(1);
            assertThat(usage.completionTokens()).as("billed for the pieces sent").isEqualTo(SilentUpstream.CHUNKS);
            assertThat(proxy.store.budget(id).spentNanoUsd()).isPositive().isEqualTo(usage.costNanoUsd());

            List<String> said = logs.proxyText().lines().filter(line -> line.contains("ChatProxy")).toList();
            assertThat(said).containsExactly("WARN dev.keysafe.proxy.ChatProxy - upstream stream broke off "
                    + "(SocketTimeoutException)");
            assertThat(logs.text()).doesNotContain(KEY.value());
            assertThat(proxy.get("/health", null).statusCode()).as("still healthy").isEqualTo(200);
        }
    }

    @Test
    void a_plain_answer_whose_upstream_falls_silent_half_way_is_refused_with_502_after_the_timeout() {
        try (SilentUpstream upstream = SilentUpstream.start();
             TestProxy proxy = TestProxy.start(upstream.baseUrl(), () -> ApiKey.of(KEY.value()),
                     Map.of("PROXY_STREAM_IDLE_TIMEOUT_SECONDS", "1"), c -> c)) {
            String token = proxy.issue("gpt-4o-mini");
            String id = proxy.store.tokens().get(0).id();
            long start = System.nanoTime();

            HttpResponse<String> answer = proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(answer.statusCode()).isEqualTo(502);
            assertThat(TestProxy.json(answer).at("/error/code").asText()).isEqualTo("upstream_malformed");
            assertThat(answer.body()).doesNotContain("chat.completion");
            assertThat(tookMillis).isBetween(900L, 4_000L);
            assertThat(proxy.store.budget(id).reservedNanoUsd()).isZero();
            assertThat(proxy.store.budget(id).spentNanoUsd()).as("nothing relayed, nothing charged").isZero();
        }
    }

    private static String readAll(InputStream body) {
        try {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(20);
        }
    }
}
