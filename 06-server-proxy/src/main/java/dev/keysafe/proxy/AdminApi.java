package dev.keysafe.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.proxy.ClientTokens.Grant;
import dev.keysafe.proxy.ClientTokens.Issued;
import dev.keysafe.proxy.Store.AuditEvent;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin routes, for the proxy's operator only (the admin token as bearer; a client token is
 * refused): issue, list and revoke client tokens, read usage and the audit log, rotate the
 * upstream key. Every action, and every refused attempt, goes to the audit log with token
 * fingerprints only.
 */
final class AdminApi {

    /** The logger audit events are written to, at INFO. */
    static final String AUDIT_LOGGER = "keysafe.audit";

    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> GRANT_FIELDS = Set.of("name", "models", "budget_usd", "rpm",
            "expires_in_seconds", "max_tokens");
    private static final int MAX_AUDIT_BODY = 64 * 1024;

    private final ProxyConfig config;
    private final Store store;
    private final ClientTokens tokens;
    private final UpstreamKey upstreamKey;
    private final Monitor monitor;
    private final Clock clock;

    AdminApi(ProxyConfig config, Store store, ClientTokens tokens, UpstreamKey upstreamKey, Monitor monitor,
             Clock clock) {
        this.config = config;
        this.store = store;
        this.tokens = tokens;
        this.upstreamKey = upstreamKey;
        this.monitor = monitor;
        this.clock = clock;
    }

    /** Before every admin route: the admin token, or 401 and an audit event. */
    void requireAdmin(Context ctx) {
        String bearer = ClientTokens.bearerOf(ctx.header("Authorization"));
        if (!config.isAdminToken(bearer)) {
            audit("admin.denied", "", bearer == null ? "" : ClientTokens.fingerprint(bearer),
                    ctx.method() + " " + ctx.path(), ctx);
            throw ProxyError.unauthorized("The admin routes need the admin token as 'Authorization: Bearer ...'. "
                    + "Client tokens are not accepted here.");
        }
    }

    /** {@code POST /admin/tokens}: 201 with the token, shown this once. */
    void createToken(Context ctx) {
        Grant grant = grantFrom(readObject(ctx));
        Issued issued = tokens.issue(grant);
        ClientToken token = issued.token();
        audit("token.create", token.id(), token.fingerprint(), "name=" + token.name() + " models="
                + new java.util.TreeSet<>(token.models()) + " budget_usd="
                + Prices.nanoToUsd(token.budgetNanoUsd()).toPlainString() + " rpm=" + token.rpm(), ctx);
        ObjectNode answer = describe(token);
        answer.put("token", issued.secret());
        ctx.status(201).contentType("application/json").result(answer.toString());
    }

    /** {@code GET /admin/tokens}: every token, without secrets or hashes. */
    void listTokens(Context ctx) {
        ArrayNode list = JSON.createArrayNode();
        for (ClientToken token : store.tokens()) {
            list.add(describe(token));
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.set("data", list);
        ctx.contentType("application/json").result(answer.toString());
    }

    /** {@code DELETE /admin/tokens/{id}}: revoked from the next request on. */
    void revokeToken(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.matches("tok_[0-9a-f]{16}") || !store.revoke(id)) {
            throw ProxyError.of(404, "not_found", "no_such_token", "There is no token with that id.");
        }
        audit("token.revoke", id, store.token(id).map(ClientToken::fingerprint).orElse(""), "", ctx);
        ctx.status(204);
    }

    /** {@code GET /admin/usage}: the ledger per token, with requests per minute for the charts. */
    void usage(Context ctx) {
        ArrayNode list = JSON.createArrayNode();
        for (ClientToken token : store.tokens()) {
            ObjectNode entry = describe(token);
            Store.Usage usage = store.usage(token.id());
            entry.put("requests", usage.requests());
            entry.put("prompt_tokens", usage.promptTokens());
            entry.put("completion_tokens", usage.completionTokens());
            entry.put("cost_usd", Prices.nanoToUsd(usage.costNanoUsd()));
            entry.put("last_used", usage.lastUsed() == null ? null : usage.lastUsed().toString());
            ArrayNode perMinute = entry.putArray("requests_per_minute");
            monitor.perMinute(token.id()).forEach(perMinute::add);
            list.add(entry);
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.set("data", list);
        ctx.contentType("application/json").result(answer.toString());
    }

    /** {@code GET /admin/audit}: the latest audit events. */
    void auditLog(Context ctx) {
        ArrayNode list = JSON.createArrayNode();
        for (AuditEvent event : store.auditLog(200)) {
            list.addObject().put("at", event.at().toString()).put("action", event.action())
                    .put("subject", event.subject()).put("fingerprint", event.fingerprint())
                    .put("detail", event.detail()).put("remote", event.remote());
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.set("data", list);
        ctx.contentType("application/json").result(answer.toString());
    }

    /** {@code POST /admin/rotate}: reads the upstream key from its source again. */
    void rotate(Context ctx) {
        String before = upstreamKey.current().fingerprint();
        boolean changed;
        try {
            changed = upstreamKey.reload();
        } catch (dev.keysafe.common.ConfigException unreadable) {
            audit("key.rotate.failed", "", before, "source unreadable", ctx);
            throw ProxyError.of(409, "invalid_request_error", "key_source_unreadable", unreadable.getMessage());
        }
        audit("key.rotate", "", upstreamKey.current().fingerprint(), "previous=" + before + " changed=" + changed, ctx);
        ctx.contentType("application/json").result(JSON.createObjectNode().put("status", "reloaded")
                .put("changed", changed).toString());
    }

    private ObjectNode describe(ClientToken token) {
        Store.Budget budget = store.budget(token.id());
        ObjectNode node = JSON.createObjectNode()
                .put("id", token.id())
                .put("name", token.name())
                .put("kind", token.kind())
                .put("fingerprint", token.fingerprint());
        ArrayNode models = node.putArray("models");
        new java.util.TreeSet<>(token.models()).forEach(models::add);
        node.put("budget_usd", Prices.nanoToUsd(token.budgetNanoUsd()))
                .put("spent_usd", Prices.nanoToUsd(budget.spentNanoUsd()))
                .put("reserved_usd", Prices.nanoToUsd(budget.reservedNanoUsd()))
                .put("rpm", token.rpm())
                .put("max_tokens", token.maxTokens())
                .put("created_at", token.createdAt().toString())
                .put("expires_at", token.expiresAt().toString())
                .put("expired", token.expiredAt(clock.instant()))
                .put("revoked", token.revoked());
        return node;
    }

    private static ObjectNode readObject(Context ctx) {
        JsonNode node;
        try {
            byte[] raw = ctx.bodyInputStream().readNBytes(MAX_AUDIT_BODY + 1);
            if (raw.length > MAX_AUDIT_BODY) {
                throw ProxyError.of(413, "invalid_request_error", "body_too_large", "The request body is too large.");
            }
            node = JSON.readTree(raw);
        } catch (IOException e) {
            throw ProxyError.badRequest("malformed_json", "The request body is not valid JSON.");
        }
        if (node == null || !node.isObject()) {
            throw ProxyError.badRequest("malformed_json", "The request body must be one JSON object.");
        }
        return (ObjectNode) node;
    }

    /** The grant an admin asks for, checked field by field; deny by default. */
    private Grant grantFrom(ObjectNode body) {
        body.fieldNames().forEachRemaining(field -> {
            if (!GRANT_FIELDS.contains(field)) {
                throw ProxyError.badRequest("unknown_field", "Unknown field '" + field.replaceAll("[^A-Za-z0-9_]", "?")
                        + "'. Known: " + new java.util.TreeSet<>(GRANT_FIELDS) + ".");
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
            if (!model.isTextual() || !config.prices().knows(model.textValue())) {
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
            budgetNano = Prices.usdToNano(budget.decimalValue().toPlainString(), "budget_usd");
        } catch (dev.keysafe.common.ConfigException e) {
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
        AuditEvent event = new AuditEvent(clock.instant(), action, subject, fingerprint, detail, ctx.ip());
        store.audit(event);
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("audit", action);
        fields.put("subject", subject);
        fields.put("fingerprint", fingerprint);
        fields.put("detail", detail);
        fields.put("remote", ctx.ip());
        try {
            AUDIT.info("AUDIT {}", JSON.writeValueAsString(fields));
        } catch (IOException e) {
            AUDIT.info("AUDIT {}", action);
        }
    }
}
