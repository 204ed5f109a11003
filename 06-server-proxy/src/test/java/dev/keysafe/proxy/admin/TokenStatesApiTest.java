package dev.keysafe.proxy.admin;

import static dev.keysafe.proxy.app.TestProxy.chat;
import static dev.keysafe.proxy.app.TestProxy.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.Fingerprint;
import dev.keysafe.common.Json;
import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.app.ProxyFixture;
import dev.keysafe.proxy.limits.Prices;
import dev.keysafe.proxy.store.Store;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Token states, the usage summary and the alerts as the admin API answers them: the same state in
 * {@code GET /admin/tokens} and {@code GET /admin/usage}, computed from the rule Limits refuses by.
 */
class TokenStatesApiTest extends ProxyFixture {

    static final Prices PRICES = Prices.defaults();

    /** Issues a token and returns its id; its secret goes into {@code secrets} under its name. */
    String issue(String name, String budgetUsd, int rpm, int maxTokens, Map<String, String> secrets) {
        String secret = proxy.issue(name, List.of("gpt-4o-mini"), budgetUsd, rpm, maxTokens);
        secrets.put(name, secret);
        return proxy.tokenId(name);
    }

    Map<String, JsonNode> byName(String path) {
        Map<String, JsonNode> all = new HashMap<>();
        json(proxy.get(path, proxy.adminToken)).path("data").forEach(t -> all.put(t.path("name").asText(), t));
        return all;
    }

    @Test
    void each_token_reads_the_same_state_in_the_token_list_and_in_usage() {
        Map<String, String> secrets = new HashMap<>();
        issue("fresh", "1", 60, 256, secrets);
        issue("too-little", "0.0001", 60, 1_024, secrets);
        String nearly = issue("nearly", "1", 60, 256, secrets);
        proxy.spend(nearly, 850_000_000);
        issue("busy", "1", 1, 256, secrets);
        assertThat(proxy.post("/v1/chat/completions", secrets.get("busy"), chat("gpt-4o-mini")).statusCode()).isEqualTo(200);
        String revoked = issue("gone", "1", 60, 256, secrets);
        proxy.delete("/admin/tokens/" + revoked, proxy.adminToken);
        String old = issue("old", "1", 60, 256, secrets);
        ClientToken stored = proxy.store.token(old).orElseThrow();
        proxy.store.addToken(new ClientToken(stored.id(), stored.name(), stored.hash(), stored.fingerprint(),
                stored.models(), stored.budgetNanoUsd(), stored.rpm(), stored.maxTokens(), stored.createdAt(),
                Instant.now().minusSeconds(5), false, stored.kind()));

        Map<String, JsonNode> tokens = byName("/admin/tokens");
        Map<String, JsonNode> usage = byName("/admin/usage");

        Map<String, String> expected = Map.of("fresh", "active", "too-little", "blocked", "nearly", "nearly_spent",
                "busy", "rate_limited", "gone", "revoked", "old", "expired");
        expected.forEach((name, state) -> {
            assertThat(tokens.get(name).path("state").asText()).as(name).isEqualTo(state);
            assertThat(usage.get(name).path("state").asText()).as(name).isEqualTo(state);
            assertThat(usage.get(name).path("state_detail").asText()).as(name)
                    .isEqualTo(tokens.get(name).path("state_detail").asText());
        });
        JsonNode blocked = tokens.get("too-little");
        assertThat(blocked.path("state_detail").asText()).matches("needs \\$0\\.000\\d+, \\$0\\.0001 left");
        assertThat(blocked.path("left_usd").decimalValue()).isEqualByComparingTo("0.0001");
        assertThat(blocked.path("needs_usd").decimalValue()).isGreaterThan(new BigDecimal("0.0001"));
        assertThat(tokens.get("nearly").path("state_detail").asText()).isEqualTo("85% of the budget spent");
        assertThat(tokens.get("busy").path("state_detail").asText()).startsWith("its limit of 1 a minute is reached; next in ");
        // Every field the list had before states came is still there.
        assertThat(StreamSupport.stream(((Iterable<String>) tokens.get("fresh")::fieldNames).spliterator(), false))
                .contains("id", "name", "kind", "fingerprint", "models", "budget_usd", "spent_usd", "reserved_usd", "rpm",
                        "max_tokens", "created_at", "expires_at", "expired", "revoked", "state", "state_detail",
                        "needs_usd", "left_usd");
    }

    @Test
    void the_smallest_request_a_token_can_send_reserves_exactly_what_blocked_is_computed_from() {
        ClientToken shape = new ClientToken("tok_x", "x", "h", "....", java.util.Set.of("gpt-4o-mini"), 0, 60, 64,
                Instant.now(), Instant.now(), false, "client");
        long needs = TokenState.leastRequest(PRICES).applyAsLong(shape);
        String justEnough = proxy.issue("just-enough", List.of("gpt-4o-mini"), BigDecimal.valueOf(needs, 9).toPlainString(), 60, 64);
        String oneShort = proxy.issue("one-short", List.of("gpt-4o-mini"), BigDecimal.valueOf(needs - 1, 9).toPlainString(), 60, 64);
        Map<String, JsonNode> before = byName("/admin/tokens");

        HttpResponse<String> answered = proxy.post("/v1/responses", justEnough, "{\"model\":\"gpt-4o-mini\"}");
        HttpResponse<String> refused = proxy.post("/v1/responses", oneShort, "{\"model\":\"gpt-4o-mini\"}");

        assertThat(before.get("just-enough").path("state").asText()).isEqualTo("active");
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(before.get("one-short").path("state").asText()).isEqualTo("blocked");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(json(refused).at("/error/code").asText()).isEqualTo("budget_exceeded");
    }

    @Test
    void a_request_that_leaves_too_little_for_the_next_raises_the_budget_alert_and_the_token_reads_blocked() {
        Map<String, String> secrets = new HashMap<>();
        String id = issue("last-call", "1", 60, 100, secrets);
        // What this request reserves, counted as Limits counts: the body with the cap it writes in, plus 16.
        String body = "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}";
        int bytes = "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"max_output_tokens\":100}".getBytes(StandardCharsets.UTF_8).length;
        long worstCase = PRICES.cost("gpt-4o-mini", bytes + 16L, 100);
        proxy.spend(id, 1_000_000_000 - worstCase);
        assertThat(byName("/admin/tokens").get("last-call").path("state").asText()).isEqualTo("nearly_spent");

        assertThat(proxy.post("/v1/responses", secrets.get("last-call"), body).statusCode()).isEqualTo(200);

        JsonNode token = byName("/admin/tokens").get("last-call");
        HttpResponse<String> alerts = proxy.get("/admin/alerts", proxy.adminToken);
        assertThat(token.path("state").asText()).isEqualTo("blocked");
        assertThat(alerts.statusCode()).isEqualTo(200);
        JsonNode alert = json(alerts).path("data").get(0);
        assertThat(alert.path("alert").asText()).isEqualTo("budget_nearly_spent");
        assertThat(alert.path("reason").asText()).isEqualTo("cannot_cover_a_request");
        assertThat(alert.path("token").asText()).isEqualTo(id);
        assertThat(alert.path("fingerprint").asText()).isEqualTo(Fingerprint.of(secrets.get("last-call")));
        assertThat(alert.path("needs_usd").decimalValue()).isEqualByComparingTo(token.path("needs_usd").decimalValue());
        assertThat(alert.path("at").asText()).isNotBlank();
        assertThat(json(alerts).path("kept").asInt()).isPositive();
    }

    @Test
    void alerts_are_for_the_admin_token_only_and_hold_no_key_and_no_token() {
        Map<String, String> secrets = new HashMap<>();
        String id = issue("watched", "0.01", 60, 256, secrets);
        proxy.spend(id, 7_999_000);
        assertThat(proxy.post("/v1/chat/completions", secrets.get("watched"), chat("gpt-4o-mini")).statusCode()).isEqualTo(200);

        List<String> refusedBearers = java.util.Arrays.asList(secrets.get("watched"), KEY.value(), proxy.adminToken + "x", null);
        for (String bearer : refusedBearers) {
            HttpResponse<String> refused = proxy.get("/admin/alerts", bearer);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).doesNotContain("budget_nearly_spent");
        }
        HttpResponse<String> alerts = proxy.get("/admin/alerts", proxy.adminToken);

        assertThat(alerts.statusCode()).isEqualTo(200);
        assertThat(alerts.body()).contains("\"alert\":\"budget_nearly_spent\"").contains("\"reason\":\"spent_80_percent\"")
                .contains(Fingerprint.of(secrets.get("watched")))
                .doesNotContain(secrets.get("watched")).doesNotContain(KEY.value()).doesNotContain(proxy.adminToken);
        assertThat(proxy.store.auditLog(100)).extracting(Store.AuditEvent::detail).contains("GET /admin/alerts");
    }

    @Test
    void usage_sums_spend_counts_states_and_tells_received_requests_from_those_sent_upstream() {
        Map<String, String> secrets = new HashMap<>();
        String paid = issue("paid", "1", 60, 256, secrets);
        issue("broke", "0.0001", 60, 1_024, secrets);
        proxy.post("/v1/chat/completions", secrets.get("paid"), chat("gpt-4o-mini"));
        for (int i = 0; i < 3; i++) {
            assertThat(proxy.post("/v1/chat/completions", secrets.get("broke"), chat("gpt-4o-mini")).statusCode()).isEqualTo(429);
        }
        assertThat(proxy.post("/session", null, "").statusCode()).isEqualTo(201);

        JsonNode usage = json(proxy.get("/admin/usage", proxy.adminToken));
        Map<String, JsonNode> tokens = byName("/admin/usage");

        JsonNode summary = usage.path("summary");
        assertThat(summary.path("spent_usd").decimalValue())
                .isEqualByComparingTo(usd(proxy.store.budget(paid).spentNanoUsd())).isPositive();
        assertThat(summary.path("requests_last_hour").asLong()).isEqualTo(1);
        assertThat(summary.at("/tokens/active").asInt()).isEqualTo(1);
        assertThat(summary.at("/tokens/blocked").asInt()).isEqualTo(1);
        assertThat(summary.at("/tokens/revoked").asInt()).isZero();
        assertThat(summary.at("/sessions/active").asInt()).isEqualTo(1);
        assertThat(tokens.get("broke").path("requests").asLong()).as("sent upstream").isZero();
        assertThat(tokens.get("broke").path("received_last_30_min").asLong()).as("received: the chart's sum").isEqualTo(3);
        assertThat(tokens.get("paid").path("requests").asLong()).isEqualTo(1);
        assertThat(tokens.get("paid").path("received_last_30_min").asLong()).isEqualTo(1);
    }

    private static BigDecimal usd(long nano) {
        return BigDecimal.valueOf(nano, 9);
    }

    @Test
    void an_empty_store_answers_empty_lists_and_a_zero_summary() {
        JsonNode usage = json(proxy.get("/admin/usage", proxy.adminToken));
        JsonNode alerts = json(proxy.get("/admin/alerts", proxy.adminToken));

        assertThat(usage.path("data")).isEmpty();
        assertThat(usage.at("/summary/spent_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(usage.at("/summary/tokens/active").asInt()).isZero();
        assertThat(alerts.path("data")).isEmpty();
        assertThat(Json.write(usage.at("/summary/tokens"))).contains("\"blocked\":0", "\"rate_limited\":0");
    }
}
