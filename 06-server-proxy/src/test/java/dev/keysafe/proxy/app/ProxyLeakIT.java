package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ApiKey;
import dev.keysafe.proxy.ClientTokens;
import dev.keysafe.proxy.Guard;
import dev.keysafe.proxy.LogCapture;
import dev.keysafe.proxy.ProxyError;
import dev.keysafe.proxy.ProxyServer;
import dev.keysafe.proxy.ServerKey;
import dev.keysafe.proxy.TokenStore;
import dev.keysafe.proxy.Upstream;
import dev.keysafe.proxy.key.UpstreamKey;
import dev.keysafe.proxy.monitor.Alerts;
import dev.keysafe.proxy.store.InMemoryStore;
import dev.keysafe.proxy.store.Store;
import dev.keysafe.testkit.Answers;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.contract.ModuleFiles;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.stub.OpenAiStub;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shared leak contract, server flavour: the proxy's key reaches the upstream and nowhere else.
 * A fresh canary is the upstream key; the stub answers normally and through every fault (its
 * error bodies echo the key, plain and masked); every logger runs at TRACE and is captured. Then
 * every channel a server has is searched: what clients receive (C1-C4), logs (C7), key holders
 * (C8), exceptions (C9), a redirect's second host (C10), the upstream journal (C21), admin routes
 * with client credentials (C22), the ledger and audit records (C19), and the module's files and
 * build output (C14-C16).
 *
 * <p>Here the key comes from OPENAI_API_KEY; {@link SecretsManagerLeakIT} runs every check again
 * with the key read from AWS Secrets Manager.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyLeakIT {

    static final Canary KEY = Canary.forThisRun();

    LogCapture logs;
    OpenAiStub stub;
    UpstreamKey.Source keySource;
    TestProxy proxy;
    String clientToken;

    /** Where the proxy reads the key: the canary as OPENAI_API_KEY would give it. */
    UpstreamKey.Source startKeySource() {
        return UpstreamKey.sourceFrom(Map.of(UpstreamKey.VARIABLE, KEY.value()));
    }

    /** Stops whatever {@link #startKeySource()} started. */
    void stopKeySource() {
    }

    @BeforeAll
    void start() {
        // Capture from before start-up, so start-up logging (the first read of the key) is searched too.
        logs = LogCapture.everythingAtTrace();
        stub = OpenAiStub.start();
        keySource = startKeySource();
        proxy = TestProxy.start(stub.baseUrl(), keySource, Map.of(),
                config -> config.withUpstreamTimeout(Duration.ofSeconds(5)));
        clientToken = proxy.issue("leak-test", List.of("gpt-4o-mini"), "5", 100_000, 256);
    }

    @AfterAll
    void stop() {
        proxy.close();
        stub.close();
        stopKeySource();
        logs.close();
    }

    /** What one scenario made the proxy send to its client, on every upstream route; each answer kept by {@code client}. */
    private List<HttpResponse<String>> driveEveryRoute(Answers client) {
        String bearer = "Bearer " + clientToken;
        return List.of(
                client.postJson(proxy.base + "/v1/chat/completions", TestProxy.chat("gpt-4o-mini"), "Authorization", bearer),
                client.postJson(proxy.base + "/v1/chat/completions", TestProxy.chatStream("gpt-4o-mini"),
                        "Authorization", bearer),
                client.postJson(proxy.base + "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"hello\"}",
                        "Authorization", bearer));
    }

    /**
     * The contract, through the testkit's public API: the answers the proxy gave, its logs at TRACE,
     * the upstream journal and a redirect's second host are all searched by one check.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Scenario.class)
    void key_reaches_upstream_and_nowhere_else(Scenario scenario) {
        Keysafe keysafe = new Keysafe(KEY, stub);
        scenario.arrange(stub, KEY);
        stub.slowFirstByte(Duration.ofMillis(300));
        logs.clear();

        List<HttpResponse<String>> answers = driveEveryRoute(keysafe.answers());
        keysafe.alsoCheck("logs at TRACE", logs.text());

        assertThat(logs.size()).as("events captured at TRACE").isPositive();
        for (HttpResponse<String> answer : answers) {
            if (scenario.answers()) {
                assertThat(answer.statusCode()).as("%s %s", scenario, answer.uri()).isEqualTo(200);
                assertThat(answer.body()).contains(scenario == Scenario.HAPPY_PATH || scenario == Scenario.SLOW_FIRST_BYTE
                        ? OpenAiStub.ANSWER.split(" ")[0] : "");
            } else {
                assertThat(answer.statusCode()).as("%s %s", scenario, answer.uri()).isBetween(429, 504);
                assertThat(TestProxy.json(answer).at("/error/message").asText()).isNotBlank();
            }
        }
        assertThat(keysafe.answers().all()).hasSize(answers.size());
        keysafe.assertKeyReachedOpenAiAndNowhereElse();
    }

    @Test
    void every_route_and_every_debug_looking_route_answers_without_the_key() {
        List<String> noSuchRoutes = List.of("/env", "/config", "/debug", "/debug/vars", "/actuator", "/actuator/env",
                "/actuator/configprops", "/actuator/heapdump", "/actuator/threaddump", "/heapdump", "/threaddump",
                "/metrics", "/.env", "/admin/config", "/admin/env", "/admin/key", "/v1/key", "/status", "/info");
        List<HttpResponse<String>> answers = new ArrayList<>();

        for (String path : noSuchRoutes) {
            HttpResponse<String> answer = proxy.get(path, proxy.adminToken);
            assertThat(answer.statusCode()).as("%s (C3/C4: no such route)", path).isEqualTo(404);
            answers.add(answer);
        }
        HttpResponse<String> health = proxy.get("/health?details=true", null);
        assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
        answers.add(health);
        for (String path : List.of("/", "/chat.js", "/admin", "/admin.js", "/admin-view.js", "/style.css", "/v1/models")) {
            answers.add(proxy.get(path, clientToken));
        }
        for (String path : List.of("/admin/tokens", "/admin/usage", "/admin/audit", "/admin/alerts")) {
            answers.add(proxy.get(path, proxy.adminToken));
        }
        answers.add(proxy.post("/admin/rotate", proxy.adminToken, ""));
        answers.add(proxy.post("/session", null, ""));

        assertThat(answers).allSatisfy(a -> assertThat(a.statusCode()).isLessThan(500));
        assertThat(answers).allSatisfy(a -> assertThat(Detectors.inText(KEY, Channel.C3, a.uri().getPath(),
                a.headers().map() + a.body())).isEmpty());
    }

    @Test
    void a_failure_inside_the_proxy_answers_500_with_an_incident_id_and_nothing_else() {
        Store working = new InMemoryStore();
        // A store that fails the way a real database does, with internals in its message.
        Store broken = (Store) java.lang.reflect.Proxy.newProxyInstance(Store.class.getClassLoader(),
                new Class<?>[] {Store.class}, (self, method, args) -> {
                    if (method.getName().equals("tokenByHash")) {
                        throw new IllegalStateException("internal detail: database password hunter2 at db.internal");
                    }
                    try {
                        return method.invoke(working, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (TestProxy failing = TestProxy.start(stub.baseUrl(), KEY.value(), broken, Clock.systemUTC())) {
            List<HttpResponse<String>> answers = List.of(
                    failing.post("/v1/chat/completions", "ksp-anything", TestProxy.chat("gpt-4o-mini")),
                    failing.post("/v1/responses", "ksp-anything", "{}"),
                    failing.get("/v1/models", "ksp-anything"));

            assertThat(answers).allSatisfy(answer -> {
                assertThat(answer.statusCode()).isEqualTo(500);
                assertThat(TestProxy.json(answer).at("/error/message").asText()).matches(
                        "The proxy failed on this request \\(incident [0-9a-f]{8}\\)\\.");
                assertThat(answer.body()).doesNotContain("hunter2").doesNotContain("IllegalStateException")
                        .doesNotContain("at dev.");
            });
        }
    }

    @Test
    void key_holders_never_print_the_key() {
        UpstreamKey key = new UpstreamKey(keySource);
        List<Object> holders = List.of(keySource, key, key.current(), proxy.upstreamKey, proxy.config,
                key.alertingOn(new Alerts(Clock.systemUTC(), Optional.empty())),
                new Upstream(proxy.config.withUpstreamTimeout(Duration.ofSeconds(1)).proxy(), key));

        assertThat(holders).allSatisfy(h -> assertThat(String.valueOf(h)).isNotBlank());
        assertThat(Detectors.inObjects(KEY, holders)).isEmpty();
        assertThat(String.valueOf(proxy.config)).doesNotContain(proxy.adminToken);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Scenario.class, names = {"KEY_REJECTED", "UNAUTHORIZED_401", "FORBIDDEN_403",
            "RATE_LIMITED_429", "SERVER_ERROR_500", "UNAVAILABLE_503", "CONNECTION_RESET", "MALFORMED_JSON",
            "REDIRECT_TO_OTHER_HOST"})
    void exceptions_from_upstream_faults_hold_no_key(Scenario scenario) {
        stub.reset();
        if (scenario != Scenario.KEY_REJECTED) {
            stub.acceptKeys(KEY.value());
        }
        if (scenario.fault() != null) {
            stub.fault(scenario.fault());
        }
        Upstream upstream = new Upstream(proxy.config.withUpstreamTimeout(Duration.ofSeconds(5)).proxy(),
                new UpstreamKey(keySource));
        byte[] body = TestProxy.chat("gpt-4o-mini").getBytes(java.nio.charset.StandardCharsets.UTF_8);

        Throwable thrown = null;
        try (Upstream.Answer answer = upstream.send(Upstream.Route.CHAT_COMPLETIONS, body, header -> null, false)) {
            // MALFORMED_JSON is a 200 at this level; the route's JSON check refuses it (see UpstreamFailureTest).
            assertThat(scenario).isEqualTo(Scenario.MALFORMED_JSON);
        } catch (ProxyError e) {
            thrown = e;
        }

        if (thrown != null) {
            assertThat(thrown.getCause()).isNull();
            assertThat(Detectors.inThrowable(KEY, thrown)).isEmpty();
        }
        assertThat(stub.bearerTokens()).contains(KEY.value());
    }

    @Test
    void the_upstream_client_prints_no_key_even_with_every_wire_log_turned_on() {
        stub.reset();
        stub.acceptKeys(KEY.value());
        logs.clear();
        // The JDK client's wire-log switch (the proxy's client is not the JDK's), and every java.util.logging
        // logger, OkHttp's among them, at ALL, captured.
        System.setProperty("jdk.httpclient.HttpClient.log", "all");
        Logger root = Logger.getLogger("");
        Level rootLevel = root.getLevel();
        List<String> julLines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                julLines.add(record.getLoggerName() + " " + new SimpleFormatter().formatMessage(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        root.setLevel(Level.ALL);
        ClientTokens tokens = new ClientTokens(TokenStore.inMemory(), Clock.systemUTC());
        String token = tokens.issue(new ClientTokens.Grant("wire", Set.of("gpt-4o-mini"), 0, 60, 64,
                Duration.ofHours(1), "client")).secret();
        Javalin lesson = ProxyServer.create(proxy.config.proxy(), ServerKey.fixed(ApiKey.of(KEY.value())),
                tokens, Guard.NONE, javalin -> { }).start("127.0.0.1", 0);
        List<HttpResponse<String>> answers = new ArrayList<>();
        try (TestProxy client = TestProxy.start(stub.baseUrl(), KEY.value())) {
            String base = "http://127.0.0.1:" + lesson.port();
            for (String body : List.of(TestProxy.chat("gpt-4o-mini"), TestProxy.chatStream("gpt-4o-mini"))) {
                answers.add(client.send(HttpRequest.newBuilder(URI.create(base
                        + "/v1/chat/completions")).header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build()));
            }
        } finally {
            lesson.stop();
            root.removeHandler(capture);
            root.setLevel(rootLevel);
            System.clearProperty("jdk.httpclient.HttpClient.log");
        }

        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        assertThat(answers.get(0).body()).contains(OpenAiStub.ANSWER.split(" ")[0]);
        assertThat(stub.bearerTokens()).as("the key reached the upstream").contains(KEY.value());
        assertThat(julLines).as("java.util.logging events captured").isNotEmpty();
        assertThat(Detectors.inText(KEY, Channel.C7, "java.util.logging at ALL", String.join("\n", julLines)))
                .isEmpty();
        assertThat(Detectors.inText(KEY, Channel.C7, "logs at TRACE", logs.text())).isEmpty();
    }

    @Test
    void client_and_session_tokens_cannot_reach_admin_routes() {
        String session = TestProxy.json(proxy.post("/session", null, "")).path("token").asText();

        for (String bearer : List.of(clientToken, session, KEY.value())) {
            assertThat(proxy.get("/admin/tokens", bearer).statusCode()).isEqualTo(401);
            assertThat(proxy.get("/admin/usage", bearer).statusCode()).isEqualTo(401);
            assertThat(proxy.get("/admin/audit", bearer).statusCode()).isEqualTo(401);
            assertThat(proxy.get("/admin/alerts", bearer).statusCode()).isEqualTo(401);
            assertThat(proxy.post("/admin/tokens", bearer, "{\"name\":\"x\",\"models\":[],\"budget_usd\":1}")
                    .statusCode()).isEqualTo(401);
            assertThat(proxy.post("/admin/rotate", bearer, "").statusCode()).isEqualTo(401);
            assertThat(proxy.delete("/admin/tokens/tok_0000000000000000", bearer).statusCode()).isEqualTo(401);
        }
        assertThat(proxy.get("/admin/tokens", proxy.adminToken).statusCode()).isEqualTo(200);
    }

    @Test
    void ledger_audit_records_and_the_proxys_own_logs_hold_no_key_and_no_token() {
        stub.reset();
        stub.acceptKeys(KEY.value());
        logs.clear();
        assertThat(proxy.post("/v1/chat/completions", clientToken, TestProxy.chat("gpt-4o-mini")).statusCode())
                .isEqualTo(200);
        HttpResponse<String> rotated = proxy.post("/admin/rotate", proxy.adminToken, "");
        proxy.get("/admin/tokens", clientToken);

        String records = proxy.store.recentEntries(10_000) + "\n" + proxy.store.auditLog(10_000) + "\n"
                + proxy.store.tokens();

        assertThat(proxy.store.recentEntries(10)).isNotEmpty();
        assertThat(proxy.store.auditLog(10)).extracting(Store.AuditEvent::action).contains("key.rotate", "admin.denied");
        assertThat(Detectors.inText(KEY, Channel.C19, "ledger, audit log, token records", records)).isEmpty();
        assertThat(records).doesNotContain(clientToken).doesNotContain(proxy.adminToken);
        assertThat(logs.proxyText()).contains("AUDIT").doesNotContain(clientToken).doesNotContain(proxy.adminToken);
        // The rotation read the key again (from Secrets Manager in SecretsManagerLeakIT), all of it at TRACE.
        assertThat(rotated.statusCode()).isEqualTo(200);
        assertThat(Detectors.inText(KEY, Channel.C7, "logs at TRACE", logs.text())).isEmpty();
    }

    // --- the module's files (C14-C16), as in the command-line contract ---

    @Test
    void module_files_hold_no_key_shaped_string() {
        ModuleFiles.assertWorkingTreeHoldsNoKeyShapedString(ModuleFiles.here());
    }

    @Test
    void git_history_of_the_module_holds_no_key_shaped_string() {
        ModuleFiles.assertGitHistoryHoldsNoKeyShapedString(ModuleFiles.here());
    }

    @Test
    void build_output_holds_no_key() {
        ModuleFiles.assertBuildOutputHoldsNoKey(ModuleFiles.here(), KEY);
    }
}
