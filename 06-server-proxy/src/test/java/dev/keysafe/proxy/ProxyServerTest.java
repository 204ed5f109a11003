package dev.keysafe.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.Json;
import dev.keysafe.proxy.ClientTokens.Grant;
import dev.keysafe.proxy.Upstream.Route;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lesson alone, as a reviewer copies it: {@link ProxyServer} with only its own defaults (tokens
 * in memory, {@link Guard#NONE}, a fixed {@link ServerKey}) in front of the OpenAI stub; and the
 * seams a deployment plugs into, each pinned by a small stand-in.
 */
class ProxyServerTest {

    static final Canary KEY = Canary.fresh();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @RegisterExtension
    static final OpenAiStubExtension openai = OpenAiStubExtension.accepting(KEY.value());

    /** The lesson's server with {@code tokens}, {@code key}, {@code guard} and {@code extension}, started. */
    private static Javalin start(ClientTokens tokens, ServerKey key, Guard guard, Consumer<JavalinConfig> extension) {
        ProxyConfig config = ProxyConfig.fromEnv(Map.of("OPENAI_BASE_URL", openai.stub().baseUrl()));
        return ProxyServer.create(config, key, tokens, guard, extension).start("127.0.0.1", 0);
    }

    private static String issue(ClientTokens tokens, String... models) {
        return tokens.issue(new Grant("lesson", Set.of(models), 0, 60, 64, Duration.ofHours(1), "client")).secret();
    }

    private static HttpResponse<String> post(Javalin app, String path, String bearer, String body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                    .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> answer) {
        try {
            return Json.read(answer.body());
        } catch (Json.Malformed e) {
            throw new AssertionError("not JSON (HTTP " + answer.statusCode() + ")");
        }
    }

    private static String chat(String model) {
        ObjectNode body = Json.object().put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", "hello");
        return Json.write(body);
    }

    @Test
    void the_lesson_alone_answers_with_the_servers_key_and_never_sends_the_client_token() {
        ClientTokens tokens = new ClientTokens(TokenStore.inMemory(), Clock.systemUTC());
        String token = issue(tokens, "gpt-4o-mini");
        Javalin app = ProxyServer.create(ProxyConfig.fromEnv(Map.of("OPENAI_BASE_URL", openai.stub().baseUrl())),
                ServerKey.fixed(ApiKey.of(KEY.value())), tokens, Guard.NONE, javalin -> { }).start("127.0.0.1", 0);
        try {
            HttpResponse<String> answer = post(app, "/v1/chat/completions", token, chat("gpt-4o-mini"));
            HttpResponse<String> otherModel = post(app, "/v1/chat/completions", token, chat("gpt-4o"));
            HttpResponse<String> unknown = post(app, "/v1/chat/completions", "ksp-never-issued", chat("gpt-4o-mini"));

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(json(answer).at("/choices/0/message/content").asText()).isEqualTo(OpenAiStub.ANSWER);
            assertThat(otherModel.statusCode()).isEqualTo(403);
            assertThat(unknown.statusCode()).isEqualTo(401);
            assertThat(openai.stub().bearerTokens()).containsExactly(KEY.value());
        } finally {
            app.stop();
        }
    }

    @Test
    void the_lesson_alone_scrubs_openais_401_and_tells_the_key_it_was_refused() {
        openai.stub().acceptOnly(Canary.fresh().value());
        List<String> refusals = new CopyOnWriteArrayList<>();
        ServerKey key = new ServerKey() {
            @Override
            public ApiKey current() {
                return ApiKey.of(KEY.value());
            }

            @Override
            public void refused(ApiKey refused, int status) {
                refusals.add(refused.fingerprint() + " " + status);
            }
        };
        ClientTokens tokens = new ClientTokens(TokenStore.inMemory(), Clock.systemUTC());
        Javalin app = start(tokens, key, Guard.NONE, javalin -> { });
        try {
            HttpResponse<String> answer = post(app, "/v1/chat/completions", issue(tokens, "gpt-4o-mini"),
                    chat("gpt-4o-mini"));

            assertThat(answer.statusCode()).isEqualTo(502);
            assertThat(json(answer).at("/error/code").asText()).isEqualTo("upstream_auth");
            assertThat(json(answer).at("/error/message").asText()).startsWith("The proxy could not authenticate");
            assertThat(Detectors.inText(KEY, Channel.C1, "response", answer.headers().map() + answer.body())).isEmpty();
            assertThat(refusals).containsExactly(KEY.fingerprint() + " 401");
            assertThat(openai.stub().bearerTokens()).as("no replacement, so no retry").containsExactly(KEY.value());
        } finally {
            app.stop();
        }
    }

    @Test
    void a_store_that_cannot_answer_is_a_503_with_retry_after_and_nothing_goes_upstream() {
        TokenStore down = new TokenStore() {
            @Override
            public void addToken(ClientToken token) {
                throw new StoreUnavailable();
            }

            @Override
            public Optional<ClientToken> tokenByHash(String hash) {
                throw new StoreUnavailable();
            }
        };
        Javalin app = start(new ClientTokens(down, Clock.systemUTC()), ServerKey.fixed(ApiKey.of(KEY.value())),
                Guard.NONE, javalin -> { });
        try {
            HttpResponse<String> answer = post(app, "/v1/chat/completions", "ksp-anything", chat("gpt-4o-mini"));

            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Retry-After")).hasValue(String.valueOf(StoreUnavailable.RETRY_AFTER_SECONDS));
            assertThat(json(answer).at("/error/code").asText()).isEqualTo("store_unavailable");
            assertThat(answer.body()).doesNotContain("Exception").doesNotContain("at dev.");
            assertThat(openai.stub().journal()).isEmpty();
        } finally {
            app.stop();
        }
    }

    @Test
    void the_guard_admits_before_the_body_reserves_after_the_checks_and_settles_with_what_was_relayed() {
        List<String> calls = new CopyOnWriteArrayList<>();
        Guard guard = new Guard() {
            @Override
            public void admit(ClientToken token) {
                calls.add("admit " + token.name());
            }

            @Override
            public Reservation reserve(Route route, ClientToken token, ObjectNode body) {
                calls.add("reserve " + route + " " + body.path("model").asText());
                return new Reservation() {
                    @Override
                    public void relayed(byte[] bytes, int length) {
                        calls.add("relayed " + (length > 0));
                    }

                    @Override
                    public void settle(int status) {
                        calls.add("settle " + status);
                    }
                };
            }
        };
        ClientTokens tokens = new ClientTokens(TokenStore.inMemory(), Clock.systemUTC());
        String token = issue(tokens, "gpt-4o-mini");
        Javalin app = start(tokens, ServerKey.fixed(ApiKey.of(KEY.value())), guard, javalin -> { });
        try {
            HttpResponse<String> answered = post(app, "/v1/chat/completions", token, chat("gpt-4o-mini"));
            HttpResponse<String> redirected = post(app, "/v1/chat/completions", token,
                    "{\"model\":\"gpt-4o-mini\",\"base_url\":\"http://127.0.0.1:1/v1\",\"messages\":[]}");

            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(redirected.statusCode()).isEqualTo(400);
            assertThat(json(redirected).at("/error/code").asText()).isEqualTo("field_not_allowed");
            assertThat(calls).containsExactly("admit lesson", "reserve CHAT_COMPLETIONS gpt-4o-mini", "relayed true",
                    "settle 200", "admit lesson");
            assertThat(openai.stub().journal()).hasSize(1);
        } finally {
            app.stop();
        }
    }

    @Test
    void a_guards_refusal_is_the_clients_answer_and_nothing_goes_upstream() {
        Guard closed = new Guard() {
            @Override
            public void admit(ClientToken token) {
                throw ProxyError.retryLater(429, "rate_limited", "Slow down.", 3);
            }
        };
        ClientTokens tokens = new ClientTokens(TokenStore.inMemory(), Clock.systemUTC());
        Javalin app = start(tokens, ServerKey.fixed(ApiKey.of(KEY.value())), closed, javalin -> { });
        try {
            HttpResponse<String> refused = post(app, "/v1/chat/completions", issue(tokens, "gpt-4o-mini"),
                    chat("gpt-4o-mini"));

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("3");
            assertThat(json(refused).at("/error/message").asText()).isEqualTo("Slow down.");
            assertThat(openai.stub().journal()).isEmpty();
        } finally {
            app.stop();
        }
    }

    @Test
    void a_body_over_the_cap_or_not_one_json_object_is_refused_before_anything_goes_upstream() {
        ClientTokens tokens = new ClientTokens(TokenStore.inMemory(), Clock.systemUTC());
        String token = issue(tokens, "gpt-4o-mini");
        ProxyConfig small = ProxyConfig.fromEnv(Map.of("OPENAI_BASE_URL", openai.stub().baseUrl(),
                "PROXY_MAX_BODY_BYTES", "1024"));
        Javalin app = ProxyServer.create(small, ServerKey.fixed(ApiKey.of(KEY.value())), tokens, Guard.NONE,
                javalin -> { }).start("127.0.0.1", 0);
        try {
            ObjectNode big = Json.object().put("model", "gpt-4o-mini");
            big.putArray("messages").addObject().put("role", "user").put("content", "a".repeat(2_000));
            HttpResponse<String> tooLarge = post(app, "/v1/chat/completions", token, Json.write(big));
            HttpResponse<String> twice = post(app, "/v1/chat/completions", token,
                    "{\"model\":\"gpt-4o-mini\",\"model\":\"gpt-4o\",\"messages\":[]}");

            assertThat(tooLarge.statusCode()).isEqualTo(413);
            assertThat(json(tooLarge).at("/error/code").asText()).isEqualTo("body_too_large");
            assertThat(twice.statusCode()).as("a duplicated field, read strictly").isEqualTo(400);
            assertThat(json(twice).at("/error/code").asText()).isEqualTo("malformed_json");
            assertThat(openai.stub().journal()).isEmpty();
        } finally {
            app.stop();
        }
    }

    @Test
    void an_extension_adds_routes_and_anything_else_is_a_404_with_no_detail() {
        ClientTokens tokens = new ClientTokens(TokenStore.inMemory(), Clock.systemUTC());
        Javalin app = start(tokens, ServerKey.fixed(ApiKey.of(KEY.value())), Guard.NONE,
                javalin -> javalin.routes.post("/ping", ctx -> ctx.result("pong")));
        try {
            HttpResponse<String> added = post(app, "/ping", "x", "");
            HttpResponse<String> missing = post(app, "/admin/tokens", "x", "{}");

            assertThat(added.body()).isEqualTo("pong");
            assertThat(added.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'none'");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(json(missing).at("/error/message").asText()).isEqualTo("Not found.");
        } finally {
            app.stop();
        }
    }
}
