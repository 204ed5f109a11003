package dev.keysafe.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.proxy.Store.LedgerEntry;
import dev.keysafe.proxy.Upstream.Answer;
import dev.keysafe.proxy.Upstream.Route;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible routes, guarded: every request is checked against its client token
 * (who, which model, how many tokens, how fast, how much money) before anything goes upstream,
 * and billed after. The order of {@link #forward} is the lesson: authenticate, rate-limit, read
 * and check the body, reserve the worst-case cost, call upstream, settle the real cost.
 */
final class ChatProxy {

    /** Body fields that try to pick the upstream or its credentials: refused, the upstream is fixed. */
    static final Set<String> REDIRECTING_FIELDS = Set.of("api_base", "base_url", "api_key", "api_type",
            "api_version");
    /** Body fields whose cost the proxy cannot bound before the call (stored conversations, background runs). */
    static final Set<String> UNBOUNDED_FIELDS = Set.of("previous_response_id", "conversation", "background");

    private static final Logger LOG = LoggerFactory.getLogger(ChatProxy.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int MAX_CHOICES = 4;
    private static final int MAX_UPSTREAM_BODY = 32 * 1_048_576;

    private final ProxyConfig config;
    private final Store store;
    private final ClientTokens tokens;
    private final Upstream upstream;
    private final Monitor monitor;
    private final Clock clock;

    ChatProxy(ProxyConfig config, Store store, ClientTokens tokens, Upstream upstream, Monitor monitor, Clock clock) {
        this.config = config;
        this.store = store;
        this.tokens = tokens;
        this.upstream = upstream;
        this.monitor = monitor;
        this.clock = clock;
    }

    /** {@code GET /v1/models}: only the models this token may use. */
    void models(Context ctx) {
        ClientToken token = tokens.authenticate(ClientTokens.bearerOf(ctx.header("Authorization")));
        ArrayNode data = JSON.createArrayNode();
        for (String model : new TreeSet<>(token.models())) {
            data.addObject().put("id", model).put("object", "model").put("created", 0).put("owned_by", "openai");
        }
        ObjectNode list = JSON.createObjectNode().put("object", "list");
        list.set("data", data);
        ctx.contentType("application/json").result(list.toString());
    }

    /** What a checked request asks for. */
    private record Checked(String model, long maxOutputTokens, int choices, boolean stream) {
    }

    /** {@code POST /v1/chat/completions} and {@code POST /v1/responses}. */
    void forward(Context ctx, Route route) {
        ClientToken token = tokens.authenticate(ClientTokens.bearerOf(ctx.header("Authorization")));
        Store.Admission admission = store.admit("token:" + token.id(), token.rpm());
        if (!admission.allowed()) {
            throw ProxyError.retryLater(429, "rate_limited", "This token's rate limit (" + token.rpm()
                    + " requests a minute) is reached. Retry after the delay given.",
                    (admission.retryAfter().toMillis() + 999) / 1000);
        }
        monitor.requestArrived(token);

        ObjectNode body = readJson(ctx);
        Checked request = check(route, body, token);
        byte[] forwarded = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // A token is never shorter than a byte, so the body's size bounds the prompt's tokens.
        long promptBound = forwarded.length + 16L;
        long worstCase = config.prices().cost(request.model(), promptBound,
                request.choices() * request.maxOutputTokens());
        if (!store.reserve(token.id(), worstCase)) {
            Store.Budget budget = store.budget(token.id());
            throw ProxyError.of(429, "insufficient_quota", "budget_exceeded", "This token's budget cannot cover "
                    + "the request: up to $" + Prices.nanoToUsd(worstCase).toPlainString() + " needed, $"
                    + Prices.nanoToUsd(Math.max(0, budget.leftNanoUsd())).toPlainString()
                    + " left. Ask for a larger budget, or lower max_tokens.");
        }

        Meter meter = new Meter(forwarded.length);
        int status = 0;
        try (Answer answer = upstream.send(route, forwarded, forwardedHeaders(ctx), request.stream())) {
            status = answer.status();
            if (request.stream() && answer.contentType().startsWith("text/event-stream")) {
                relayStream(ctx, answer, meter);
            } else {
                relayJson(ctx, answer, meter);
            }
        } catch (ProxyError refused) {
            status = refused.status();
            throw refused;
        } finally {
            long charged = meter.seenAnything()
                    ? Math.min(worstCase, config.prices().cost(request.model(), meter.promptTokens(), meter.completionTokens()))
                    : 0;
            store.settle(token.id(), worstCase, charged);
            store.record(new LedgerEntry(token.id(), clock.instant(), route.path(), request.model(), status,
                    meter.promptTokens(), meter.completionTokens(), charged));
            monitor.settled(token, store.budget(token.id()));
        }
    }

    private ObjectNode readJson(Context ctx) {
        long cap = config.maxBodyBytes();
        if (ctx.req().getContentLengthLong() > cap) {
            throw tooLarge(cap);
        }
        byte[] raw;
        try (InputStream in = ctx.bodyInputStream()) {
            raw = in.readNBytes((int) cap + 1);
        } catch (IOException e) {
            throw ProxyError.badRequest("unreadable_body", "The request body could not be read.");
        }
        if (raw.length > cap) {
            throw tooLarge(cap);
        }
        JsonNode parsed;
        try {
            parsed = JSON.readTree(raw);
        } catch (IOException e) {
            throw ProxyError.badRequest("malformed_json", "The request body is not valid JSON.");
        }
        if (parsed == null || !parsed.isObject()) {
            throw ProxyError.badRequest("malformed_json", "The request body must be one JSON object.");
        }
        return (ObjectNode) parsed;
    }

    private static ProxyError tooLarge(long cap) {
        return ProxyError.of(413, "invalid_request_error", "body_too_large",
                "The request body is larger than this proxy accepts (" + cap + " bytes).");
    }

    /** Checks {@code body} against {@code token}; fills in the output cap when the client left it out. */
    private Checked check(Route route, ObjectNode body, ClientToken token) {
        for (String field : REDIRECTING_FIELDS) {
            if (body.has(field)) {
                throw ProxyError.badRequest("field_not_allowed", "The field '" + field + "' is not accepted here: "
                        + "the proxy decides where requests go and with which credentials.");
            }
        }
        for (String field : UNBOUNDED_FIELDS) {
            if (body.has(field)) {
                throw ProxyError.badRequest("field_not_allowed", "The field '" + field + "' is not accepted here: "
                        + "the proxy cannot cap the cost of such a request before making it.");
            }
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.textValue().isBlank()) {
            throw ProxyError.badRequest("missing_model", "The field 'model' is required.");
        }
        if (!token.mayUse(model.textValue())) {
            throw ProxyError.of(403, "permission_error", "model_not_allowed",
                    "This token may not use that model. GET /v1/models lists the ones it may use.");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isBoolean() && !stream.isNull()) {
            throw ProxyError.badRequest("invalid_stream", "The field 'stream' must be true or false.");
        }
        boolean streaming = stream != null && stream.asBoolean(false);

        String[] capFields = route == Route.CHAT_COMPLETIONS
                ? new String[] {"max_completion_tokens", "max_tokens"} : new String[] {"max_output_tokens"};
        long maxOutput = 0;
        for (String field : capFields) {
            JsonNode value = body.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 1) {
                throw ProxyError.badRequest("invalid_max_tokens", "The field '" + field + "' must be a whole number "
                        + "of at least 1.");
            }
            if (value.intValue() > token.maxTokens()) {
                throw ProxyError.badRequest("max_tokens_over_cap", "The field '" + field + "' is over this token's "
                        + "cap of " + token.maxTokens() + ".");
            }
            maxOutput = Math.max(maxOutput, value.intValue());
        }
        if (maxOutput == 0) {
            // The worst case must be a real bound, so the upstream is told the cap the budget assumed.
            maxOutput = token.maxTokens();
            body.put(capFields[0], token.maxTokens());
        }

        int choices = 1;
        JsonNode n = body.get("n");
        if (n != null && !n.isNull()) {
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1 || n.intValue() > MAX_CHOICES) {
                throw ProxyError.badRequest("invalid_n", "The field 'n' must be a whole number from 1 to "
                        + MAX_CHOICES + ".");
            }
            choices = n.intValue();
        }
        if (streaming && route == Route.CHAT_COMPLETIONS) {
            JsonNode options = body.get("stream_options");
            if (options != null && !options.isObject() && !options.isNull()) {
                throw ProxyError.badRequest("invalid_stream_options", "The field 'stream_options' must be an object.");
            }
            // So the stream ends with its real usage and can be billed exactly.
            ObjectNode asked = options instanceof ObjectNode object ? object : body.putObject("stream_options");
            asked.put("include_usage", true);
        }
        return new Checked(model.textValue(), maxOutput, choices, streaming);
    }

    private static Map<String, String> forwardedHeaders(Context ctx) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : Upstream.FORWARDED_HEADERS) {
            String value = ctx.header(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        return headers;
    }

    /** A plain answer: read whole, checked to be JSON (a broken body is never passed on), billed, sent. */
    private void relayJson(Context ctx, Answer answer, Meter meter) {
        byte[] bytes;
        JsonNode parsed;
        try {
            bytes = answer.body().readNBytes(MAX_UPSTREAM_BODY);
            parsed = JSON.readTree(bytes);
        } catch (IOException e) {
            throw ProxyError.badGateway("upstream_malformed", "OpenAI's answer could not be read.");
        }
        if (parsed == null || !parsed.isObject()) {
            throw ProxyError.badGateway("upstream_malformed", "OpenAI's answer could not be read.");
        }
        meter.usageFrom(parsed);
        ctx.status(200).contentType("application/json").result(bytes);
    }

    /**
     * A stream: each piece is written and flushed the moment it arrives, then metered. When the
     * client has gone, the write fails and closing the answer cancels the upstream call.
     */
    private void relayStream(Context ctx, Answer answer, Meter meter) {
        ctx.status(200);
        ctx.contentType("text/event-stream; charset=utf-8");
        ctx.header("X-Accel-Buffering", "no");
        byte[] buffer = new byte[8192];
        OutputStream out;
        try {
            // The servlet's own stream: Javalin's ctx.outputStream() wraps it in a stream whose
            // flush() does nothing, which would hold the answer back until it is complete.
            out = ctx.res().getOutputStream();
        } catch (IOException e) {
            return;
        }
        while (true) {
            int n;
            try {
                n = answer.body().read(buffer);
            } catch (IOException broken) {
                LOG.warn("upstream stream broke off ({})", broken.getClass().getSimpleName());
                writeQuietly(out, "data: {\"error\":{\"message\":\"The answer from OpenAI broke off.\","
                        + "\"type\":\"upstream_error\"}}\n\n");
                return;
            }
            if (n < 0) {
                return;
            }
            try {
                out.write(buffer, 0, n);
                out.flush();
            } catch (IOException gone) {
                LOG.info("client disconnected mid-stream; cancelling the upstream call");
                return;
            }
            meter.feed(buffer, n);
        }
    }

    private static void writeQuietly(OutputStream out, String text) {
        try {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException ignored) {
            // the client is gone too
        }
    }

    /**
     * Counts what a request used: the real {@code usage} when the answer carries it, otherwise an
     * estimate from the stream seen so far (a stream cut short is still billed for what it sent).
     */
    static final class Meter {
        private final long promptEstimate;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        private long prompt = -1;
        private long completion = -1;
        private long chunks;
        private boolean seen;

        Meter(long requestBytes) {
            // About four bytes a token: an estimate used only when a stream ends without usage.
            this.promptEstimate = (requestBytes + 3) / 4;
        }

        boolean seenAnything() {
            return seen;
        }

        long promptTokens() {
            return prompt >= 0 ? prompt : seen ? promptEstimate : 0;
        }

        long completionTokens() {
            return completion >= 0 ? completion : chunks;
        }

        void usageFrom(JsonNode answer) {
            seen = true;
            JsonNode usage = answer.path("usage");
            if (usage.isObject()) {
                long in = usage.has("prompt_tokens") ? usage.path("prompt_tokens").asLong() : usage.path("input_tokens").asLong();
                long out = usage.has("completion_tokens") ? usage.path("completion_tokens").asLong()
                        : usage.path("output_tokens").asLong();
                prompt = Math.max(0, in);
                completion = Math.max(0, out);
            }
        }

        /** Feeds bytes of a server-sent event stream; complete {@code data:} lines are looked at. */
        void feed(byte[] bytes, int length) {
            seen = true;
            for (int i = 0; i < length; i++) {
                byte b = bytes[i];
                if (b == '\n') {
                    onLine(line.toString(java.nio.charset.StandardCharsets.UTF_8));
                    line.reset();
                } else if (line.size() < 1_048_576) {
                    line.write(b);
                }
            }
        }

        private void onLine(String text) {
            if (!text.startsWith("data:")) {
                return;
            }
            if (text.contains("\"usage\":{")) {
                try {
                    JsonNode event = JSON.readTree(text.substring(5).strip());
                    JsonNode holder = event.has("usage") ? event : event.path("response");
                    if (holder.path("usage").isObject()) {
                        usageFrom(holder);
                    }
                } catch (IOException ignored) {
                    // not JSON: counted as nothing
                }
            } else if (text.contains("\"delta\"")) {
                chunks++;
            }
        }
    }
}
