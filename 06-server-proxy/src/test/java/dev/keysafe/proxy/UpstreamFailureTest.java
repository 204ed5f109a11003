package dev.keysafe.proxy;

import static dev.keysafe.proxy.app.TestProxy.chat;
import static dev.keysafe.proxy.app.TestProxy.chatStream;
import static dev.keysafe.proxy.app.TestProxy.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ApiKey;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.stub.Fault;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every way the upstream can fail, as a client of the proxy sees it: a status of the proxy's own,
 * a message it wrote, and nothing of the upstream's body (which echoes the key).
 */
class UpstreamFailureTest {

    static final Canary KEY = Canary.fresh();

    @RegisterExtension
    static final OpenAiStubExtension openai = OpenAiStubExtension.accepting(KEY.value());

    TestProxy proxy;
    String token;

    @BeforeEach
    void start() {
        proxy = TestProxy.start(openai.stub().baseUrl(), () -> ApiKey.of(KEY.value()), Map.of(),
                // Wide margins both ways: on a loaded machine an ordinary answer can take a second.
                config -> config.withUpstreamTimeout(Duration.ofMillis(2000)));
        token = proxy.issue("gpt-4o-mini");
    }

    @AfterEach
    void stop() {
        proxy.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "UNAUTHORIZED_401, 502, upstream_auth",
            "FORBIDDEN_403, 502, upstream_auth",
            "RATE_LIMITED_429, 429, upstream_rate_limited",
            "SERVER_ERROR_500, 502, upstream_error",
            "UNAVAILABLE_503, 503, upstream_unavailable",
            "SLOW_FIRST_BYTE, 504, upstream_timeout",
            "CONNECTION_RESET, 502, upstream_unreachable",
            "MALFORMED_JSON, 502, upstream_malformed",
            "REDIRECT_TO_OTHER_HOST, 502, upstream_redirect"})
    void upstream_failure_becomes_the_proxys_own_error_with_nothing_of_the_upstream_body(
            Fault fault, int status, String code) {
        openai.stub().fault(fault).slowFirstByte(Duration.ofMillis(6000));

        for (String request : new String[] {chat("gpt-4o-mini"), chatStream("gpt-4o-mini")}) {
            HttpResponse<String> answer = proxy.post("/v1/chat/completions", token, request);

            assertThat(answer.statusCode()).as(request).isEqualTo(status);
            assertThat(json(answer).at("/error/code").asText()).isEqualTo(code);
            assertThat(json(answer).at("/error/message").asText()).isNotBlank().doesNotContain("key sent");
            assertThat(Detectors.inText(KEY, Channel.C1, "response", answer.body() + answer.headers())).isEmpty();
        }
        assertThat(openai.stub().journalElsewhere()).as("the redirect target").isEmpty();
        assertThat(proxy.store.budget(proxy.store.tokens().get(0).id()).reservedNanoUsd()).isZero();
    }

    @Test
    void upstream_429_passes_its_retry_after_on() {
        openai.stub().retryAfterSeconds(7).fault(Fault.RATE_LIMITED_429);

        HttpResponse<String> answer = proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini"));

        assertThat(answer.statusCode()).isEqualTo(429);
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("7");
    }

    @Test
    void a_key_the_upstream_does_not_accept_is_a_502_for_the_client_not_an_echo() {
        openai.stub().acceptOnly("sk-some-other-key-" + TestProxy.randomHex(8));

        HttpResponse<String> answer = proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini"));

        assertThat(answer.statusCode()).isEqualTo(502);
        assertThat(Detectors.inText(KEY, Channel.C1, "response", answer.body())).isEmpty();
        // One call, no retry: the key source had nothing newer to offer.
        assertThat(openai.stub().journal()).hasSize(1);
    }
}
