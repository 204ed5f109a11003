package dev.keysafe.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import dev.keysafe.proxy.Upstream.Answer;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible routes. {@link #forward} is the lesson, in order: authenticate the client token, let the
 * guard admit it, read the body strictly, refuse fields that pick another upstream, check the token may use the model,
 * let the guard reserve, call upstream with the server's key, relay (a broken answer never), let the guard settle.
 */
record ChatProxy(ClientTokens tokens, Guard guard, Upstream upstream, long maxBodyBytes) {

    /** Body fields that try to pick the upstream or its credentials: refused, the upstream is fixed. */
    static final Set<String> REDIRECTING_FIELDS = Set.of("api_base", "base_url", "api_key", "api_type", "api_version");

    private static final Logger LOG = LoggerFactory.getLogger(ChatProxy.class);
    private static final int MAX_UPSTREAM_BODY = 32 * 1_048_576;
    private static final byte[] BROKE_OFF = ("data: " + Json.write(Json.object().set("error", Json.object()
            .put("message", "The answer from OpenAI broke off.").put("type", "upstream_error"))) + "\n\n").getBytes(UTF_8);

    /** {@code GET /v1/models}: only the models this token may use. */
    void models(Context ctx) {
        ClientToken token = tokens.authenticate(ClientTokens.bearerOf(ctx.header("Authorization")));
        ArrayNode data = Json.array();
        new TreeSet<>(token.models()).forEach(model ->
                data.addObject().put("id", model).put("object", "model").put("created", 0).put("owned_by", "openai"));
        ctx.contentType("application/json").result(Json.write(Json.object().put("object", "list").set("data", data)));
    }

    void forward(Context ctx, Upstream.Route route) throws IOException {
        ClientToken token = tokens.authenticate(ClientTokens.bearerOf(ctx.header("Authorization")));
        guard.admit(token);
        ObjectNode body;
        try {
            // The kit's one strict reader refuses a duplicated field, so no two readers can disagree about
            // what the body says.
            body = Json.readObject(readBody(ctx));
        } catch (Json.Malformed e) {
            throw ProxyError.badRequest("malformed_json", e.getMessage());
        }
        for (String field : REDIRECTING_FIELDS) {
            if (body.has(field)) {
                throw ProxyError.badRequest("field_not_allowed", "The field '" + field + "' is not accepted here: "
                        + "the proxy decides where requests go and with which credentials.");
            }
        }
        JsonNode model = body.path("model");
        if (!model.isTextual() || model.textValue().isBlank()) {
            throw ProxyError.badRequest("missing_model", "The field 'model' is required.");
        }
        if (!token.mayUse(model.textValue())) {
            throw ProxyError.of(403, "permission_error", "model_not_allowed",
                    "This token may not use that model. GET /v1/models lists the ones it may use.");
        }
        JsonNode stream = body.path("stream");
        if (!stream.isMissingNode() && !stream.isBoolean() && !stream.isNull()) {
            throw ProxyError.badRequest("invalid_stream", "The field 'stream' must be true or false.");
        }
        Guard.Reservation reservation = guard.reserve(route, token, body);
        int status = 0;
        try (Answer answer = upstream.send(route, Json.write(body).getBytes(UTF_8), ctx::header, stream.asBoolean(false))) {
            status = answer.status();
            if (stream.asBoolean(false) && answer.contentType().startsWith("text/event-stream")) {
                relayStream(ctx, answer, reservation);
            } else {
                relayJson(ctx, answer, reservation);
            }
        } catch (IOException clientGone) {
            LOG.info("client disconnected mid-stream; the upstream call is cancelled");
        } catch (ProxyError refused) {
            status = refused.status;
            throw refused;
        } finally {
            reservation.settle(status);
        }
    }

    /** The body, at most PROXY_MAX_BODY_BYTES (413 beyond), read once into a buffer of its own length. */
    private byte[] readBody(Context ctx) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        byte[] bytes = declared > maxBodyBytes ? null
                : ctx.req().getInputStream().readNBytes((int) (declared >= 0 ? declared : maxBodyBytes + 1));
        if (bytes == null || bytes.length > maxBodyBytes) {
            throw ProxyError.of(413, "invalid_request_error", "body_too_large", "The request body is too large.");
        }
        return bytes;
    }

    /** A plain answer: read whole and checked to be JSON (a broken body is never passed on), then sent. */
    private static void relayJson(Context ctx, Answer answer, Guard.Reservation reservation) throws IOException {
        byte[] bytes;
        try {
            // Its own length when it says one: one buffer that size, not 8 KB ones copied together.
            long length = answer.length() >= 0 ? answer.length() : MAX_UPSTREAM_BODY;
            bytes = answer.body().readNBytes((int) Math.min(length, MAX_UPSTREAM_BODY));
            Json.readObject(bytes);
        } catch (IOException | Json.Malformed e) {
            throw ProxyError.badGateway("upstream_malformed", "OpenAI's answer could not be read.");
        }
        reservation.relayed(bytes, bytes.length);
        // Into the servlet's buffer (Javalin's result() would copy it through a new 8 KB one); the answer
        // leaves when the request ends, after the guard has settled, as a result would.
        ctx.status(200).contentType("application/json").res().getOutputStream().write(bytes);
    }

    /**
     * A stream: each piece is written and flushed the moment it arrives. When the client has gone,
     * the write fails and closing the answer cancels the upstream call.
     */
    private static void relayStream(Context ctx, Answer answer, Guard.Reservation reservation) throws IOException {
        ctx.status(200).contentType("text/event-stream; charset=utf-8").header("X-Accel-Buffering", "no");
        // The servlet's own stream: Javalin's ctx.outputStream() wraps it in a stream whose flush()
        // does nothing, which would hold the answer back until it is complete.
        OutputStream out = ctx.res().getOutputStream();
        byte[] buffer = new byte[8192];
        while (true) {
            int n;
            try {
                n = answer.body().read(buffer);
            } catch (IOException broken) {
                // A SocketTimeoutException: nothing came for PROXY_STREAM_IDLE_TIMEOUT_SECONDS (the call is cancelled).
                LOG.warn("upstream stream broke off ({})", broken.getClass().getSimpleName());
                out.write(BROKE_OFF);
                return;
            }
            if (n < 0) {
                return;
            }
            out.write(buffer, 0, n);
            out.flush();
            reservation.relayed(buffer, n);
        }
    }
}
