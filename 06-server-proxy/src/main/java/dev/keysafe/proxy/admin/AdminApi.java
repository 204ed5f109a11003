package dev.keysafe.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ConfigException;
import dev.keysafe.common.Fingerprint;
import dev.keysafe.common.Json;
import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.ClientTokens.Grant;
import dev.keysafe.proxy.ClientTokens.Issued;
import dev.keysafe.proxy.ClientTokens;
import dev.keysafe.proxy.ProxyError;
import dev.keysafe.proxy.key.UpstreamKey;
import dev.keysafe.proxy.limits.Prices;
import dev.keysafe.proxy.monitor.Alerts;
import dev.keysafe.proxy.monitor.Monitor;
import dev.keysafe.proxy.store.NanoUsd;
import dev.keysafe.proxy.store.Store.AuditEvent;
import dev.keysafe.proxy.store.Store;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin routes, for the proxy's operator only (the admin token as bearer; a client token is
 * refused): issue, list and revoke client tokens, read usage, alerts and the audit log, rotate the
 * upstream key. Each token is listed with its {@link TokenState}. Every action, and every refused
 * attempt, goes to the audit log with token fingerprints only.
 */
public final class AdminApi {

    /** The logger audit events are written to, at INFO. */
    public static final String AUDIT_LOGGER = "keysafe.audit";

    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);
    private static final Set<String> GRANT_FIELDS = Set.of("name", "models", "budget_usd", "rpm",
            "expires_in_seconds", "max_tokens");
    private static final int MAX_BODY = 64 * 1024;

    private final Predicate<String> isAdminToken;
    private final Prices prices;
    private final Store store;
    private final ClientTokens tokens;
    private final UpstreamKey upstreamKey;
    private final Monitor monitor;
    private final Clock clock;
    private final ToLongFunction<ClientToken> leastRequest;

    /** The admin API; {@code isAdminToken} says whether a bearer token is the admin token. */
    public AdminApi(Predicate<String> isAdminToken, Prices prices, Store store, ClientTokens tokens,
                    UpstreamKey upstreamKey, Monitor monitor, Clock clock) {
        this.isAdminToken = isAdminToken;
        this.prices = prices;
        this.store = store;
        this.tokens = tokens;
        this.upstreamKey = upstreamKey;
        this.monitor = monitor;
        this.clock = clock;
        this.leastRequest = TokenState.leastRequest(prices);
    }

    /** Adds the operator's routes to {@code javalin}: the admin token, or nothing. */
    public void addTo(JavalinConfig javalin) {
        javalin.routes.post("/admin/tokens", adminOnly(this::createToken));
        javalin.routes.get("/admin/tokens", adminOnly(this::listTokens));
        javalin.routes.delete("/admin/tokens/{id}", adminOnly(this::revokeToken));
        javalin.routes.get("/admin/usage", adminOnly(this::usage));
        javalin.routes.get("/admin/audit", adminOnly(this::auditLog));
        javalin.routes.get("/admin/alerts", adminOnly(this::alerts));
        javalin.routes.post("/admin/rotate", adminOnly(this::rotate));
    }

    /** Before every admin route: the admin token, or 401 and an audit event. */
    private Handler adminOnly(Handler handler) {
        return ctx -> {
            String bearer = ClientTokens.bearerOf(ctx.header("Authorization"));
            if (bearer == null || !isAdminToken.test(bearer)) {
                audit("admin.denied", "", bearer == null ? "" : Fingerprint.of(bearer), ctx.method() + " " + ctx.path(),
                        ctx);
                throw ProxyError.unauthorized("The admin routes need the admin token as 'Authorization: Bearer ...'. "
                        + "Client tokens are not accepted here.");
            }
            handler.handle(ctx);
        };
    }

    /** {@code POST /admin/tokens}: 201 with the token, shown this once. */
    private void createToken(Context ctx) {
        Issued issued = tokens.issue(grantFrom(readBody(ctx)));
        ClientToken token = issued.token();
        audit("token.create", token.id(), token.fingerprint(), "name=" + token.name() + " models="
                + new TreeSet<>(token.models()) + " budget_usd=" + NanoUsd.toUsd(token.budgetNanoUsd()).toPlainString()
                + " rpm=" + token.rpm(), ctx);
        ObjectNode answer = describe(token);
        answer.put("token", issued.secret());
        ctx.status(201).contentType("application/json").result(Json.write(answer));
    }

    /** {@code GET /admin/tokens}: every token, without secrets or hashes. */
    private void listTokens(Context ctx) {
        ArrayNode list = Json.array();
        store.tokens().forEach(token -> list.add(describe(token)));
        ctx.contentType("application/json").result(Json.write(Json.object().set("data", list)));
    }

    /** {@code DELETE /admin/tokens/{id}}: revoked from the next request on. */
    private void revokeToken(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.matches("tok_[0-9a-f]{16}") || !store.revoke(id)) {
            throw ProxyError.of(404, "not_found", "no_such_token", "There is no token with that id.");
        }
        audit("token.revoke", id, store.token(id).map(ClientToken::fingerprint).orElse(""), "", ctx);
        ctx.status(204);
    }

    /**
     * {@code GET /admin/usage}: the ledger per token (requests that went upstream), the requests that
     * passed its rate limit, per minute, for the chart, and a summary for the dashboard's header.
     */
    private void usage(Context ctx) {
        ArrayNode list = Json.array();
        Summary summary = new Summary();
        for (ClientToken token : store.tokens()) {
            ObjectNode entry = describe(token);
            summary.add(entry);
            Store.Usage usage = store.usage(token.id());
            entry.put("requests", usage.requests());
            entry.put("prompt_tokens", usage.promptTokens());
            entry.put("completion_tokens", usage.completionTokens());
            entry.put("cost_usd", NanoUsd.toUsd(usage.costNanoUsd()));
            entry.put("last_used", usage.lastUsed() == null ? null : usage.lastUsed().toString());
            List<Long> series = monitor.perMinute(token.id());
            ArrayNode perMinute = entry.putArray("requests_per_minute");
            series.forEach(perMinute::add);
            entry.put("received_last_30_min", series.stream().mapToLong(Long::longValue).sum());
            list.add(entry);
        }
        ObjectNode answer = Json.object().put("reservations_released", store.releasedReservations());
        answer.set("summary", summary.json(store.requestsSince(clock.instant().minus(Duration.ofHours(1)))));
        ctx.contentType("application/json").result(Json.write(answer.set("data", list)));
    }

    /** The dashboard's header: total spend, and tokens and chat sessions counted by state. */
    private static final class Summary {
        private BigDecimal spent = BigDecimal.ZERO;
        private final Map<String, ObjectNode> byKind = Map.of("client", byState(), "session", byState());

        private static ObjectNode byState() {
            ObjectNode counts = Json.object();
            TokenState.ALL.forEach(state -> counts.put(state, 0));
            return counts;
        }

        void add(ObjectNode token) {
            spent = spent.add(token.path("spent_usd").decimalValue());
            ObjectNode counts = byKind.get(token.path("kind").asText());
            if (counts != null) {
                String state = token.path("state").asText();
                counts.put(state, counts.path(state).asLong() + 1);
            }
        }

        ObjectNode json(long requestsLastHour) {
            ObjectNode json = Json.object().put("spent_usd", spent.stripTrailingZeros())
                    .put("requests_last_hour", requestsLastHour);
            json.set("tokens", byKind.get("client"));
            json.set("sessions", byKind.get("session"));
            return json;
        }
    }

    /** {@code GET /admin/alerts}: the alerts this instance raised lately, newest first; ids and fingerprints only. */
    private void alerts(Context ctx) {
        ArrayNode list = Json.array();
        monitor.alerts().recent().forEach(alert -> list.add(Json.MAPPER.valueToTree(alert)));
        ctx.contentType("application/json").result(Json.write(Json.object().put("kept", Alerts.KEPT)
                .set("data", list)));
    }

    /** {@code GET /admin/audit}: the latest audit events. */
    private void auditLog(Context ctx) {
        ArrayNode list = Json.array();
        for (AuditEvent event : store.auditLog(200)) {
            list.addObject().put("at", event.at().toString()).put("action", event.action())
                    .put("subject", event.subject()).put("fingerprint", event.fingerprint())
                    .put("detail", event.detail()).put("remote", event.remote());
        }
        ctx.contentType("application/json").result(Json.write(Json.object().set("data", list)));
    }

    /** {@code POST /admin/rotate}: reads the upstream key from its source again. */
    private void rotate(Context ctx) {
        String before = upstreamKey.current().fingerprint();
        boolean changed;
        try {
            changed = upstreamKey.reload();
        } catch (ConfigException unreadable) {
            audit("key.rotate.failed", "", before, "source unreadable", ctx);
            throw ProxyError.of(409, "invalid_request_error", "key_source_unreadable", unreadable.getMessage());
        }
        audit("key.rotate", "", upstreamKey.current().fingerprint(), "previous=" + before + " changed=" + changed, ctx);
        ctx.contentType("application/json").result(Json.write(Json.object().put("status", "reloaded")
                .put("changed", changed)));
    }

    private ObjectNode describe(ClientToken token) {
        Store.Budget budget = store.budget(token.id());
        TokenState state = TokenState.of(token, budget, leastRequest.applyAsLong(token), clock.instant(),
                () -> store.peek(TokenState.rateBucket(token), token.rpm()));
        ObjectNode node = Json.object().put("id", token.id()).put("name", token.name()).put("kind", token.kind())
                .put("fingerprint", token.fingerprint());
        ArrayNode models = node.putArray("models");
        new TreeSet<>(token.models()).forEach(models::add);
        return node.put("budget_usd", NanoUsd.toUsd(token.budgetNanoUsd()))
                .put("spent_usd", NanoUsd.toUsd(budget.spentNanoUsd()))
                .put("reserved_usd", NanoUsd.toUsd(budget.reservedNanoUsd()))
                .put("rpm", token.rpm())
                .put("max_tokens", token.maxTokens())
                .put("created_at", token.createdAt().toString())
                .put("expires_at", token.expiresAt().toString())
                .put("expired", token.expiredAt(clock.instant()))
                .put("revoked", token.revoked())
                .put("state", state.name())
                .put("state_detail", state.detail())
                .put("needs_usd", state.needsNanoUsd() == Long.MAX_VALUE ? null : NanoUsd.toUsd(state.needsNanoUsd()))
                .put("left_usd", NanoUsd.toUsd(state.leftNanoUsd()));
    }

    /** The body as one JSON object, read with the kit's one strict reader, at most {@link #MAX_BODY} bytes. */
    private static ObjectNode readBody(Context ctx) {
        try (InputStream in = ctx.bodyInputStream()) {
            byte[] raw = in.readNBytes(MAX_BODY + 1);
            if (raw.length > MAX_BODY) {
                throw ProxyError.of(413, "invalid_request_error", "body_too_large", "The request body is too large.");
            }
            return Json.readObject(raw);
        } catch (IOException e) {
            throw ProxyError.badRequest("unreadable_body", "The request body could not be read.");
        } catch (Json.Malformed e) {
            throw ProxyError.badRequest("malformed_json", e.getMessage());
        }
    }

    /** The grant an admin asks for, checked field by field; deny by default. */
    private Grant grantFrom(ObjectNode body) {
        body.fieldNames().forEachRemaining(field -> {
            if (!GRANT_FIELDS.contains(field)) {
                throw ProxyError.badRequest("unknown_field", "Unknown field '" + field.replaceAll("[^A-Za-z0-9_]", "?")
                        + "'. Known: " + new TreeSet<>(GRANT_FIELDS) + ".");
            }
        });
        String name = body.path("name").asText("");
        if (!name.matches("[A-Za-z0-9 ._@-]{1,64}")) {
            throw ProxyError.badRequest("invalid_name", "'name' is required: 1 to 64 letters, digits, spaces or ._@-");
        }
        Set<String> models = new LinkedHashSet<>();
        JsonNode list = body.path("models");
        if (!list.isMissingNode() && !list.isArray()) {
            throw ProxyError.badRequest("invalid_models", "'models' must be a list of model names.");
        }
        for (JsonNode model : list) {
            if (!model.isTextual() || !prices.knows(model.textValue())) {
                throw ProxyError.badRequest("unknown_model", "Every model must be in the price table (so its cost "
                        + "can be capped); add it to the file in PROXY_PRICES_FILE first.");
            }
            models.add(model.textValue());
        }
        JsonNode budget = body.path("budget_usd");
        // A number too large for a double (1e400) is read as Infinity, which no amount of money is.
        if (!budget.isNumber() || !Double.isFinite(budget.doubleValue()) || budget.decimalValue().signum() < 0) {
            throw ProxyError.badRequest("invalid_budget", "'budget_usd' is required: a number of US dollars, 0 or more.");
        }
        long budgetNano;
        try {
            budgetNano = NanoUsd.fromUsd(budget.decimalValue().toPlainString(), "budget_usd");
        } catch (ConfigException e) {
            throw ProxyError.badRequest("invalid_budget", e.getMessage());
        }
        int rpm = intField(body, "rpm", 60, 1, 1_000_000);
        int lifetime = intField(body, "expires_in_seconds", 86_400, 60, 366 * 86_400);
        int maxTokens = intField(body, "max_tokens", 1_024, 1, 200_000);
        return new Grant(name, models, budgetNano, rpm, maxTokens, Duration.ofSeconds(lifetime), "client");
    }

    private static int intField(ObjectNode body, String field, int fallback, int min, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            throw ProxyError.badRequest("invalid_" + field, "'" + field + "' must be a whole number from " + min
                    + " to " + max + " (default " + fallback + ").");
        }
        return value.intValue();
    }

    private void audit(String action, String subject, String fingerprint, String detail, Context ctx) {
        store.audit(new AuditEvent(clock.instant(), action, subject, fingerprint, detail, ctx.ip()));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("audit", action);
        fields.put("subject", subject);
        fields.put("fingerprint", fingerprint);
        fields.put("detail", detail);
        fields.put("remote", ctx.ip());
        AUDIT.info("AUDIT {}", Json.write(fields));
    }
}
