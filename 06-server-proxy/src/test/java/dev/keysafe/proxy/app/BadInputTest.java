package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests built to trick a proxy, sent byte for byte over a socket: path tricks, encoded
 * slashes, a guessed key, fields and headers naming another upstream, injected headers, oversized
 * parts, broken JSON. Each is refused with a 4xx (never a 5xx: the proxy does not fail on bad
 * input), nothing reaches the upstream, and no answer holds the key or a stack trace.
 */
class BadInputTest {

    static final Canary KEY = Canary.fresh();

    @RegisterExtension
    static final OpenAiStubExtension openai = OpenAiStubExtension.accepting(KEY.value());

    static TestProxy proxy;
    static String token;

    @BeforeAll
    static void start() {
        proxy = TestProxy.start(openai.stub().baseUrl(), KEY.value());
        token = proxy.issue("test", List.of("gpt-4o-mini"), "5", 100_000, 64);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    static Stream<Arguments> tricks() {
        String chat = TestProxy.chat("gpt-4o-mini");
        String auth = "Authorization: Bearer %TOKEN%\r\n";
        return Stream.of(
                Arguments.of("dot-dot into admin", get("/v1/../admin/tokens", auth)),
                Arguments.of("encoded dot-dot into admin", get("/v1/%2e%2e/admin/tokens", auth)),
                Arguments.of("encoded slash in admin path", get("/admin%2Ftokens", auth)),
                Arguments.of("encoded slash in chat path", post("/v1/chat%2Fcompletions", auth, chat)),
                Arguments.of("double slash", get("//admin/tokens", auth)),
                Arguments.of("upper-case admin", get("/ADMIN/tokens", auth)),
                Arguments.of("backslash path", get("/v1\\..\\admin/tokens", auth)),
                Arguments.of("NUL in path", get("/v1/models%00", auth)),
                Arguments.of("absolute-form to another host", raw("GET http://evil.example/admin/tokens HTTP/1.1\r\n"
                        + "Host: evil.example\r\n" + auth + "Connection: close\r\n\r\n")),
                Arguments.of("guessed OpenAI key as bearer", post("/v1/chat/completions",
                        "Authorization: Bearer " + Canary.fresh().value() + "\r\n", chat)),
                Arguments.of("no bearer at all", post("/v1/chat/completions", "", chat)),
                Arguments.of("basic auth instead of bearer", post("/v1/chat/completions",
                        "Authorization: Basic dXNlcjpwYXNz\r\n", chat)),
                Arguments.of("api_base in body", post("/v1/chat/completions", auth,
                        "{\"model\":\"gpt-4o-mini\",\"api_base\":\"http://127.0.0.1:1/v1\",\"messages\":[]}")),
                Arguments.of("base_url in body", post("/v1/responses", auth,
                        "{\"model\":\"gpt-4o-mini\",\"base_url\":\"http://127.0.0.1:1/v1\",\"input\":\"hi\"}")),
                Arguments.of("api_key in body", post("/v1/chat/completions", auth,
                        "{\"model\":\"gpt-4o-mini\",\"api_key\":\"sk-x\",\"messages\":[]}")),
                Arguments.of("header injection by bare CR", post("/v1/chat/completions",
                        auth + "X-Note: a\rAuthorization: Bearer x\r\n", chat)),
                Arguments.of("header injection by folding", post("/v1/chat/completions",
                        auth + "X-Note: a\r\n Authorization: Bearer x\r\n", chat)),
                Arguments.of("CRLF inside the model name", post("/v1/chat/completions", auth,
                        "{\"model\":\"gpt-4o-mini\\r\\nX-Evil: 1\",\"messages\":[]}")),
                Arguments.of("oversized header", post("/v1/chat/completions",
                        auth + "X-Big: " + "a".repeat(70_000) + "\r\n", chat)),
                Arguments.of("oversized body", post("/v1/chat/completions", auth,
                        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\""
                                + "a".repeat(1_100_000) + "\"}]}")),
                Arguments.of("malformed JSON", post("/v1/chat/completions", auth, "{\"model\":")),
                Arguments.of("empty body", post("/v1/chat/completions", auth, "")),
                Arguments.of("JSON array", post("/v1/chat/completions", auth, "[1,2,3]")),
                Arguments.of("JSON after JSON", post("/v1/chat/completions", auth, chat + "{}")),
                Arguments.of("deeply nested JSON", post("/v1/chat/completions", auth,
                        "[".repeat(5_000) + "]".repeat(5_000))),
                Arguments.of("duplicate model field", post("/v1/chat/completions", auth,
                        "{\"model\":\"gpt-4o-mini\",\"model\":\"gpt-4o\",\"messages\":[]}")),
                Arguments.of("model not a string", post("/v1/chat/completions", auth,
                        "{\"model\":[\"gpt-4o-mini\"],\"messages\":[]}")),
                Arguments.of("max_tokens as text", post("/v1/chat/completions", auth,
                        "{\"model\":\"gpt-4o-mini\",\"max_tokens\":\"10\",\"messages\":[]}")),
                Arguments.of("max_tokens negative", post("/v1/chat/completions", auth,
                        "{\"model\":\"gpt-4o-mini\",\"max_tokens\":-5,\"messages\":[]}")),
                Arguments.of("max_tokens astronomically large", post("/v1/chat/completions", auth,
                        "{\"model\":\"gpt-4o-mini\",\"max_tokens\":1e30,\"messages\":[]}")),
                Arguments.of("n too large", post("/v1/chat/completions", auth,
                        "{\"model\":\"gpt-4o-mini\",\"n\":100,\"messages\":[]}")),
                Arguments.of("stream as text", post("/v1/chat/completions", auth,
                        "{\"model\":\"gpt-4o-mini\",\"stream\":\"yes\",\"messages\":[]}")),
                Arguments.of("stored conversation on responses", post("/v1/responses", auth,
                        "{\"model\":\"gpt-4o-mini\",\"previous_response_id\":\"resp_1\",\"input\":\"hi\"}")),
                Arguments.of("bad request line", raw("GARBAGE\r\n\r\n")),
                Arguments.of("unknown method", raw("PROPFIND /v1/models HTTP/1.1\r\nHost: x\r\n" + auth
                        + "Connection: close\r\n\r\n")),
                Arguments.of("chunked body too large", raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                        + auth + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                        + "Connection: close\r\n\r\n" + "100000\r\n" + "a".repeat(0x100000) + "\r\n"
                        + "100000\r\n" + "a".repeat(0x100000) + "\r\n0\r\n\r\n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tricks")
    void trick_is_refused_with_a_4xx_and_nothing_goes_upstream(String name, String request) throws IOException {
        String answer = send(request.replace("%TOKEN%", token));

        int status = statusOf(answer);
        assertThat(status).as("%s: status", name).isBetween(400, 499);
        assertThat(answer).as(name).doesNotContain("\"data\"").doesNotContain("Exception")
                .doesNotContain("at org.").doesNotContain("at dev.").doesNotContain(token);
        assertThat(Detectors.inText(KEY, Channel.C1, name, answer)).isEmpty();
        assertThat(openai.stub().journal()).as("%s: requests that reached the upstream", name).isEmpty();
    }

    @Test
    void host_header_query_string_and_forwarding_headers_cannot_move_the_upstream() throws IOException {
        String answer = send("POST /v1/chat/completions?api_base=http://evil.example&base_url=x HTTP/1.1\r\n"
                + "Host: evil.example\r\nX-Forwarded-Host: evil.example\r\nX-Original-URL: /admin/tokens\r\n"
                + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + "Content-Length: " + TestProxy.chat("gpt-4o-mini").length() + "\r\n\r\n"
                + TestProxy.chat("gpt-4o-mini"));

        assertThat(statusOf(answer)).isEqualTo(200);
        assertThat(answer).contains(OpenAiStub.ANSWER);
        assertThat(openai.stub().journal()).singleElement()
                .satisfies(call -> assertThat(call.path()).isEqualTo("/v1/chat/completions"));
        assertThat(openai.stub().journalElsewhere()).isEmpty();
    }

    /** Found by ProxyFuzzTest (seed 2, request #3902): "/admin/" matched the "/admin" route and failed with a 500. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pagePaths")
    void a_page_asked_with_a_trailing_slash_is_served_and_never_a_500(String page) throws IOException {
        String plain = send(get(page, ""));
        String slashed = send(get(page + "/", ""));

        assertThat(statusOf(plain)).isEqualTo(200);
        assertThat(statusOf(slashed)).as("%s/", page).isEqualTo(200);
        assertThat(bodyOf(slashed)).isEqualTo(bodyOf(plain)).isNotEmpty();
        assertThat(slashed).doesNotContain("incident").doesNotContain("Exception");
    }

    static Stream<String> pagePaths() {
        return Stream.of("/admin", "/chat.js", "/admin.js", "/style.css");
    }

    /**
     * Found by ProxyFuzzTest (the admin family, {@code budget_usd=1e400}): a number too large for a
     * double is read as Infinity, and turning that into an amount of money failed with a 500.
     */
    @ParameterizedTest(name = "budget_usd {0}")
    @MethodSource("budgetsBeyondADouble")
    void an_admin_budget_too_large_for_a_number_is_refused_with_a_400(String budget) throws IOException {
        String answer = send(post("/admin/tokens", "Authorization: Bearer " + proxy.adminToken + "\r\n",
                "{\"name\":\"x\",\"models\":[\"gpt-4o-mini\"],\"budget_usd\":" + budget + "}"));

        assertThat(statusOf(answer)).isEqualTo(400);
        assertThat(bodyOf(answer)).contains("\"code\":\"invalid_budget\"").doesNotContain("incident");
    }

    static Stream<String> budgetsBeyondADouble() {
        return Stream.of("1e400", "-1e400", "1e999999999");
    }

    @Test
    void proxy_is_still_healthy_after_the_battery() throws IOException {
        String answer = send(post("/v1/chat/completions", "Authorization: Bearer " + token + "\r\n",
                TestProxy.chat("gpt-4o-mini")));

        assertThat(statusOf(answer)).isEqualTo(200);
        assertThat(answer).contains(OpenAiStub.ANSWER);
    }

    private static String get(String path, String headers) {
        return raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Connection: close\r\n\r\n");
    }

    private static String post(String path, String headers, String body) {
        return raw("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
                + "Content-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\nConnection: close\r\n\r\n" + body);
    }

    private static String raw(String request) {
        return request;
    }

    /** Sends {@code request} as it is and reads the answer until the server closes the connection. */
    private static String send(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", proxy.app.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException refusedMidway) {
                // The server may answer and close before an oversized request is fully sent.
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException endOfAnswer) {
                // what arrived is the answer
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private static String bodyOf(String answer) {
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }

    private static int statusOf(String answer) {
        if (!answer.startsWith("HTTP/1.1 ")) {
            throw new AssertionError("no HTTP answer: " + answer.lines().findFirst().orElse("(nothing)"));
        }
        return Integer.parseInt(answer.substring(9, 12));
    }
}
