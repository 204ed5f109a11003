package dev.keysafe.proxy.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.Json;
import dev.keysafe.proxy.key.SecretsManagerSource;
import dev.keysafe.proxy.key.UpstreamKey;
import dev.keysafe.proxy.store.InMemoryStore;
import dev.keysafe.proxy.store.Store;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * The full proxy ({@link ProxyApp#create}) started for one test on 127.0.0.1 and a free port, in
 * front of an upstream (the stub), with a fresh admin token, plus the HTTP calls tests make
 * against it. Public, for the tests of every package.
 */
public final class TestProxy implements AutoCloseable {

    public static final ObjectMapper JSON = Json.MAPPER;

    public final String adminToken = "admin-" + randomHex(20);
    public final AppConfig config;
    public final UpstreamKey upstreamKey;
    public final Store store;
    public final Javalin app;
    public final String base;
    public final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private TestProxy(String upstreamBaseUrl, UpstreamKey.Source keySource, Map<String, String> env,
                      UnaryOperator<AppConfig> tweak, Store store, Clock clock) {
        Map<String, String> all = new HashMap<>(env);
        all.put("OPENAI_BASE_URL", upstreamBaseUrl);
        all.put("PROXY_ADMIN_TOKEN", adminToken);
        this.config = tweak.apply(AppConfig.fromEnv(all));
        this.upstreamKey = new UpstreamKey(keySource);
        this.store = store;
        this.app = ProxyApp.create(config, upstreamKey, store, clock).start("127.0.0.1", 0);
        this.base = "http://127.0.0.1:" + app.port();
    }

    public static TestProxy start(String upstreamBaseUrl, String key) {
        return start(upstreamBaseUrl, () -> ApiKey.of(key), Map.of(), c -> c);
    }

    public static TestProxy start(String upstreamBaseUrl, UpstreamKey.Source keySource, Map<String, String> env,
                                  UnaryOperator<AppConfig> tweak) {
        return new TestProxy(upstreamBaseUrl, keySource, env, tweak, new InMemoryStore(), Clock.systemUTC());
    }

    /** A proxy with its state in {@code store} (a PostgreSQL store, say). */
    public static TestProxy start(String upstreamBaseUrl, UpstreamKey.Source keySource, Map<String, String> env,
                                  UnaryOperator<AppConfig> tweak, Store store) {
        return new TestProxy(upstreamBaseUrl, keySource, env, tweak, store, Clock.systemUTC());
    }

    public static TestProxy start(String upstreamBaseUrl, String key, Store store, Clock clock) {
        return new TestProxy(upstreamBaseUrl, () -> ApiKey.of(key), Map.of(), c -> c, store, clock);
    }

    /** A proxy with its state in {@code store}, time from {@code clock}, and settings changed by {@code tweak}. */
    public static TestProxy start(String upstreamBaseUrl, String key, Store store, Clock clock,
                                  UnaryOperator<AppConfig> tweak) {
        return new TestProxy(upstreamBaseUrl, () -> ApiKey.of(key), Map.of(), tweak, store, clock);
    }

    /** The id of the token issued under {@code name}. */
    public String tokenId(String name) {
        return store.tokens().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow().id();
    }

    /** Charges {@code nanoUsd} to a token's budget directly, reserved and settled as a request would be. */
    public void spend(String tokenId, long nanoUsd) {
        String request = "req_spend_" + UUID.randomUUID();
        if (!store.reserve(tokenId, request, nanoUsd, Instant.now().plus(Duration.ofHours(1)))) {
            throw new AssertionError("the budget of " + tokenId + " cannot cover " + nanoUsd + " nano-USD");
        }
        store.settle(tokenId, request, nanoUsd);
    }

    /** Issues a client token through the admin API and returns its secret. */
    public String issue(String name, List<String> models, String budgetUsd, int rpm, int maxTokens) {
        String body = Json.write(Json.object().put("name", name).<ObjectNode>set("models", JSON.valueToTree(models))
                .put("budget_usd", new BigDecimal(budgetUsd)).put("rpm", rpm).put("max_tokens", maxTokens));
        HttpResponse<String> created = post("/admin/tokens", adminToken, body);
        if (created.statusCode() != 201) {
            throw new AssertionError("token not issued: HTTP " + created.statusCode() + " " + created.body());
        }
        return json(created).path("token").asText();
    }

    public String issue(String... models) {
        return issue("test", List.of(models), "5", 10_000, 256);
    }

    public HttpResponse<String> post(String path, String bearer, String body) {
        return post(path, bearer, body, Map.of());
    }

    public HttpResponse<String> post(String path, String bearer, String body, Map<String, String> headers) {
        HttpRequest.Builder request = request(path, bearer).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        headers.forEach(request::header);
        return send(request.build());
    }

    public HttpResponse<String> get(String path, String bearer) {
        return send(request(path, bearer).GET().build());
    }

    public HttpResponse<String> delete(String path, String bearer) {
        return send(request(path, bearer).DELETE().build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return request;
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (HTTP " + response.statusCode() + ")");
        }
    }

    public static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    }

    public static String chatStream(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    }

    /**
     * Sends {@code racers} chat requests with {@code token} at the same instant, request {@code i} to
     * {@code proxyOf.apply(i)}, and returns their statuses in request order.
     */
    public static List<Integer> raceChats(int racers, IntFunction<TestProxy> proxyOf, String token) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch ready = new CountDownLatch(racers);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                TestProxy proxy = proxyOf.apply(i);
                results.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini")).statusCode();
                }));
            }
            ready.await();
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> result : results) {
                statuses.add(result.get());
            }
            return statuses;
        } finally {
            pool.shutdown();
        }
    }

    /**
     * The settings that make the proxy read its key from {@code secretId} in the emulator: the
     * standard AWS variables pointing there, and OPENAI_SECRET_ID.
     */
    public static Map<String, String> secretsManagerEnv(SecretsManagerEmulator secrets, String secretId) {
        Map<String, String> env = new HashMap<>(secrets.clientEnv());
        env.put(UpstreamKey.SECRET_VARIABLE, secretId);
        return env;
    }

    /** The proxy's key source for {@code secretId} in the emulator, built as main builds it. */
    public static SecretsManagerSource secretsManagerSource(SecretsManagerEmulator secrets, String secretId) {
        return (SecretsManagerSource) UpstreamKey.sourceFrom(secretsManagerEnv(secrets, secretId));
    }

    /**
     * The keys the stub received on chat completions, by the names a test gave them, oldest first
     * ("(another key)" for any other): never the keys themselves, so a failing assertion prints
     * none. Other routes (a rotation testing its new key on /models) are left out.
     */
    public static List<String> keysSentToChat(OpenAiStub openai, Map<String, Canary> names) {
        return openai.journal().stream().filter(entry -> entry.path().endsWith("/chat/completions"))
                .map(entry -> names.entrySet().stream().filter(n -> n.getValue().value().equals(entry.bearer()))
                        .map(Map.Entry::getKey).findFirst().orElse("(another key)"))
                .toList();
    }

    public static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    @Override
    public void close() {
        app.stop();
    }
}
