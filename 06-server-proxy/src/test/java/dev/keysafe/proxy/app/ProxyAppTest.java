package dev.keysafe.proxy.app;

import static dev.keysafe.proxy.app.TestProxy.chat;
import static dev.keysafe.proxy.app.TestProxy.chatStream;
import static dev.keysafe.proxy.app.TestProxy.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.Fingerprint;
import dev.keysafe.common.Sha256;
import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.ClientTokens;
import dev.keysafe.proxy.monitor.Monitor;
import dev.keysafe.proxy.store.Store;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The proxy's routes on the happy path, and the rules every client token lives by. */
class ProxyAppTest extends ProxyFixture {

    @Test
    void chat_completion_is_answered_with_the_servers_key_and_never_the_client_token() {
        String token = proxy.issue("gpt-4o-mini");

        HttpResponse<String> answer = proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini"));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(json(answer).at("/choices/0/message/content").asText()).isEqualTo(OpenAiStub.ANSWER);
        assertThat(openai.stub().bearerTokens()).containsExactly(KEY.value());
    }

    @Test
    void streamed_chat_completion_arrives_as_server_sent_events_with_the_whole_answer() {
        String token = proxy.issue("gpt-4o-mini");

        HttpResponse<String> answer = proxy.post("/v1/chat/completions", token, chatStream("gpt-4o-mini"));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        StringBuilder text = new StringBuilder();
        answer.body().lines().filter(l -> l.startsWith("data: {")).forEach(l -> {
            JsonNode delta = parse(l.substring(6)).at("/choices/0/delta/content");
            if (!delta.isMissingNode()) {
                text.append(delta.asText());
            }
        });
        assertThat(text.toString()).isEqualTo(OpenAiStub.ANSWER);
        assertThat(answer.body()).contains("data: [DONE]");
    }

    @Test
    void responses_route_is_answered() {
        String token = proxy.issue("gpt-4o-mini");

        HttpResponse<String> answer = proxy.post("/v1/responses", token,
                "{\"model\":\"gpt-4o-mini\",\"input\":\"hello\"}");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains(OpenAiStub.ANSWER);
    }

    @Test
    void models_lists_only_what_the_token_may_use() {
        String token = proxy.issue("gpt-4o-mini", "gpt-4.1-mini");

        HttpResponse<String> models = proxy.get("/v1/models", token);

        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(json(models).findValuesAsText("id")).containsExactly("gpt-4.1-mini", "gpt-4o-mini");
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void a_token_with_no_models_may_use_none() {
        String token = proxy.issue(new String[0]);

        HttpResponse<String> refused = proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini"));

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(proxy.get("/v1/models", token)).path("data")).isEmpty();
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void a_model_not_granted_is_refused_before_anything_goes_upstream() {
        String token = proxy.issue("gpt-4o-mini");

        HttpResponse<String> refused = proxy.post("/v1/chat/completions", token, chat("gpt-4o"));

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).at("/error/code").asText()).isEqualTo("model_not_allowed");
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void max_tokens_over_the_tokens_cap_is_refused_and_a_missing_one_is_filled_in() {
        String token = proxy.issue("test", List.of("gpt-4o-mini"), "5", 100, 50);

        HttpResponse<String> over = proxy.post("/v1/chat/completions", token,
                "{\"model\":\"gpt-4o-mini\",\"max_tokens\":51,\"messages\":[]}");
        HttpResponse<String> within = proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini"));

        assertThat(over.statusCode()).isEqualTo(400);
        assertThat(json(over).at("/error/code").asText()).isEqualTo("max_tokens_over_cap");
        assertThat(within.statusCode()).isEqualTo(200);
        assertThat(openai.stub().journal()).hasSize(1);
    }

    @Test
    void token_is_shown_once_stored_as_a_hash_and_listed_without_secrets() {
        String token = proxy.issue("gpt-4o-mini");

        HttpResponse<String> list = proxy.get("/admin/tokens", proxy.adminToken);

        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list).path("data")).hasSize(1);
        assertThat(list.body()).doesNotContain(token).doesNotContain(Sha256.hex(token))
                .contains(Fingerprint.of(token));
        ClientToken stored = proxy.store.tokens().get(0);
        assertThat(stored.hash()).isEqualTo(Sha256.hex(token));
        assertThat(stored.toString()).doesNotContain(token);
    }

    @Test
    void a_revoked_token_is_refused_on_its_next_request() {
        String token = proxy.issue("gpt-4o-mini");
        assertThat(proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini")).statusCode()).isEqualTo(200);
        String id = proxy.store.tokens().get(0).id();

        HttpResponse<String> revoked = proxy.delete("/admin/tokens/" + id, proxy.adminToken);
        HttpResponse<String> after = proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini"));

        assertThat(revoked.statusCode()).isEqualTo(204);
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(openai.stub().journal()).hasSize(1);
        assertThat(proxy.delete("/admin/tokens/" + id.replace('a', 'b') + "0", proxy.adminToken).statusCode())
                .isEqualTo(404);
    }

    @Test
    void an_expired_token_is_refused() {
        String expired = proxy.issue("gpt-4o-mini");
        ClientToken stored = proxy.store.tokens().get(0);
        proxy.store.addToken(new ClientToken(stored.id(), stored.name(), stored.hash(), stored.fingerprint(),
                stored.models(), stored.budgetNanoUsd(), stored.rpm(), stored.maxTokens(), stored.createdAt(),
                java.time.Instant.now().minusSeconds(1), false, stored.kind()));

        HttpResponse<String> refused = proxy.post("/v1/chat/completions", expired, chat("gpt-4o-mini"));

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(json(refused).at("/error/message").asText()).contains("expired");
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void token_creation_refuses_unknown_models_fields_and_bad_numbers() {
        List<String> bad = List.of(
                "{\"name\":\"x\",\"models\":[\"not-a-model\"],\"budget_usd\":1}",
                "{\"name\":\"x\",\"models\":[],\"budget_usd\":-1}",
                "{\"name\":\"x\",\"models\":[]}",
                "{\"name\":\"\",\"models\":[],\"budget_usd\":1}",
                "{\"name\":\"x\",\"models\":[],\"budget_usd\":1,\"rpm\":0}",
                "{\"name\":\"x\",\"models\":[],\"budget_usd\":1,\"admin\":true}",
                "[1,2]",
                "{not json");

        for (String body : bad) {
            assertThat(proxy.post("/admin/tokens", proxy.adminToken, body).statusCode()).as(body).isEqualTo(400);
        }
        assertThat(proxy.store.tokens()).isEmpty();
    }

    @Test
    void client_tokens_and_guessed_keys_cannot_reach_admin_routes() {
        String client = proxy.issue("gpt-4o-mini");
        List<String> bearers = java.util.Arrays.asList(client, KEY.value(), proxy.adminToken + "x", null);

        for (String bearer : bearers) {
            assertThat(proxy.get("/admin/tokens", bearer).statusCode()).isEqualTo(401);
            assertThat(proxy.get("/admin/usage", bearer).statusCode()).isEqualTo(401);
            assertThat(proxy.get("/admin/audit", bearer).statusCode()).isEqualTo(401);
            assertThat(proxy.get("/admin/alerts", bearer).statusCode()).isEqualTo(401);
            assertThat(proxy.post("/admin/tokens", bearer, "{}").statusCode()).isEqualTo(401);
            assertThat(proxy.post("/admin/rotate", bearer, "").statusCode()).isEqualTo(401);
            assertThat(proxy.delete("/admin/tokens/tok_0000000000000000", bearer).statusCode()).isEqualTo(401);
        }
        assertThat(proxy.store.auditLog(100)).extracting(Store.AuditEvent::action).contains("admin.denied");
    }

    @Test
    void the_admin_token_is_not_a_client_token() {
        HttpResponse<String> refused = proxy.post("/v1/chat/completions", proxy.adminToken, chat("gpt-4o-mini"));

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void admin_actions_are_audited_with_fingerprints_only() {
        String token = proxy.issue("gpt-4o-mini");
        String id = proxy.store.tokens().get(0).id();
        proxy.delete("/admin/tokens/" + id, proxy.adminToken);

        HttpResponse<String> audit = proxy.get("/admin/audit", proxy.adminToken);

        assertThat(json(audit).findValuesAsText("action")).containsSubsequence("token.create", "token.revoke");
        assertThat(audit.body()).contains(Fingerprint.of(token)).doesNotContain(token)
                .doesNotContain(proxy.adminToken);
    }

    @Test
    void usage_ledger_counts_requests_tokens_and_cost_per_token() {
        String token = proxy.issue("gpt-4o-mini");
        proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini"));
        proxy.post("/v1/chat/completions", token, chatStream("gpt-4o-mini"));

        JsonNode usage = json(proxy.get("/admin/usage", proxy.adminToken)).path("data").get(0);

        assertThat(usage.path("requests").asLong()).isEqualTo(2);
        assertThat(usage.path("prompt_tokens").asLong()).isEqualTo(2L * OpenAiStub.PROMPT_TOKENS);
        assertThat(usage.path("completion_tokens").asLong()).isEqualTo(2L * OpenAiStub.COMPLETION_TOKENS);
        // 2 x (12 x 150 + 9 x 600) nano-dollars at gpt-4o-mini's listed price
        assertThat(usage.path("cost_usd").decimalValue()).isEqualByComparingTo("0.0000144");
        assertThat(usage.path("spent_usd").decimalValue()).isEqualByComparingTo("0.0000144");
        assertThat(usage.path("reserved_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(usage.path("requests_per_minute")).hasSize(Monitor.KEPT_MINUTES);
        assertThat(usage.path("last_used").asText()).isNotBlank();
    }

    @Test
    void unknown_routes_are_404_with_no_detail() {
        for (String path : List.of("/nope", "/v1/embeddings", "/v1/chat/completions/x", "/admin/tokens/x/y")) {
            HttpResponse<String> missing = proxy.get(path, null);
            assertThat(missing.statusCode()).as(path).isEqualTo(404);
            assertThat(missing.body()).as(path).doesNotContain(path).contains("Not found.");
        }
    }

    @Test
    void every_answer_carries_the_security_headers() {
        for (HttpResponse<String> answer : List.of(proxy.get("/", null), proxy.get("/nope", null),
                proxy.get("/v1/models", null))) {
            assertThat(answer.headers().firstValue("Content-Security-Policy").orElse(""))
                    .contains("default-src 'none'").contains("script-src 'self'").contains("frame-ancestors 'none'");
            assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(answer.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(answer.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(answer.headers().firstValue("Server")).isEmpty();
        }
    }

    @Test
    void cors_is_closed_unless_an_origin_is_configured() {
        var preflight = proxy.request("/v1/chat/completions", null).method("OPTIONS",
                java.net.http.HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST").build();

        HttpResponse<String> closed = proxy.send(preflight);
        HttpResponse<String> simple = proxy.send(proxy.request("/v1/models", "x").header("Origin",
                "https://evil.example").GET().build());

        assertThat(closed.statusCode()).isEqualTo(404);
        assertThat(closed.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(simple.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void cors_answers_the_configured_origin_only() {
        try (TestProxy open = TestProxy.start(openai.stub().baseUrl(), () -> dev.keysafe.common.ApiKey.of(KEY.value()),
                Map.of("PROXY_CORS_ORIGIN", "https://app.example"), c -> c)) {
            var good = open.request("/v1/chat/completions", null).method("OPTIONS",
                    java.net.http.HttpRequest.BodyPublishers.noBody()).header("Origin", "https://app.example").build();
            var bad = open.request("/v1/chat/completions", null).method("OPTIONS",
                    java.net.http.HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example").build();

            HttpResponse<String> allowed = open.send(good);
            HttpResponse<String> refused = open.send(bad);

            assertThat(allowed.statusCode()).isEqualTo(204);
            assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
            assertThat(refused.statusCode()).isEqualTo(404);
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void pages_are_served_and_a_session_token_is_short_lived_and_narrow() {
        HttpResponse<String> page = proxy.get("/", null);
        HttpResponse<String> session = proxy.post("/session", null, "");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"/chat.js\"></script>");
        assertThat(proxy.get("/admin", null).body()).contains("/admin.js");
        assertThat(session.statusCode()).isEqualTo(201);
        String token = json(session).path("token").asText();
        assertThat(token).startsWith(ClientTokens.PREFIX);
        assertThat(json(session).path("expires_in").asLong()).isLessThanOrEqualTo(600);
        ClientToken stored = proxy.store.tokens().get(0);
        assertThat(stored.kind()).isEqualTo("session");
        assertThat(stored.models()).containsExactly("gpt-4o-mini");
        assertThat(proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini")).statusCode()).isEqualTo(200);
        assertThat(proxy.post("/v1/chat/completions", token, chat("gpt-4o")).statusCode()).isEqualTo(403);
        assertThat(proxy.get("/admin/tokens", token).statusCode()).isEqualTo(401);
    }

    @Test
    void rate_limit_answers_429_with_retry_after() {
        String token = proxy.issue("test", List.of("gpt-4o-mini"), "5", 2, 64);

        int first = proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini")).statusCode();
        int second = proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini")).statusCode();
        HttpResponse<String> third = proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini"));

        assertThat(List.of(first, second)).containsOnly(200);
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L)).isBetween(1L, 60L);
        assertThat(json(third).at("/error/code").asText()).isEqualTo("rate_limited");
        assertThat(openai.stub().journal()).hasSize(2);
    }

    @Test
    void a_request_the_budget_cannot_cover_is_refused_with_the_reason() {
        String token = proxy.issue("test", List.of("gpt-4o-mini"), "0.00001", 100, 64);

        HttpResponse<String> refused = proxy.post("/v1/chat/completions", token, chat("gpt-4o-mini"));

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(json(refused).at("/error/code").asText()).isEqualTo("budget_exceeded");
        assertThat(json(refused).at("/error/message").asText()).contains("budget");
        assertThat(openai.stub().journal()).isEmpty();
    }

    private static JsonNode parse(String text) {
        try {
            return TestProxy.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
