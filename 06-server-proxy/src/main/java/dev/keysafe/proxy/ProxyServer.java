package dev.keysafe.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server that holds the OpenAI key so browsers and apps never do. Clients call it with a client
 * token, exactly as they would call OpenAI with a key; it checks the token, calls OpenAI with the
 * server's key, and answers with OpenAI's answer or with an error of its own, written here.
 * {@link #create} builds it unstarted. A deployment plugs in where tokens live ({@link TokenStore}),
 * limits ({@link Guard}), a key that rotates ({@link ServerKey}) and routes: see {@code proxy.app.ProxyApp}.
 */
public final class ProxyServer {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    private static final String ANSWERED = "keysafe.answered";

    /** The proxy with {@code guard} around each forward and the routes {@code extension} adds (alone: none). */
    public static Javalin create(ProxyConfig config, ServerKey key, ClientTokens tokens, Guard guard,
                                 Consumer<JavalinConfig> extension) {
        Upstream upstream = new Upstream(config, key);
        ChatProxy chat = new ChatProxy(tokens, guard, upstream, config.maxBodyBytes());
        return Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.http.maxRequestSize = config.maxBodyBytes();
            // Streams must leave as they arrive; compression would hold bytes back.
            javalin.http.compressionStrategy = CompressionStrategy.NONE;
            // No request logger, and never the bundled dev-logging plugin: it prints every header,
            // client tokens included. Jetty's own error pages say a status, no stack, no cause.
            ErrorHandler quiet = new ErrorHandler();
            quiet.setShowStacks(false);
            quiet.setShowCauses(false);
            quiet.setShowMessageInTitle(false);
            javalin.jetty.modifyServer(server -> server.setErrorHandler(quiet));
            javalin.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
            javalin.routes.before(ProxyServer::securityHeaders);

            // The OpenAI-compatible routes: what a chat front end or an SDK needs, nothing more.
            javalin.routes.post("/v1/chat/completions", ctx -> chat.forward(ctx, Upstream.Route.CHAT_COMPLETIONS));
            javalin.routes.post("/v1/responses", ctx -> chat.forward(ctx, Upstream.Route.RESPONSES));
            javalin.routes.get("/v1/models", chat::models);
            extension.accept(javalin);

            // Every error a client sees is written here; none quotes an exception or the upstream.
            javalin.routes.exception(ProxyError.class, (e, ctx) -> answer(ctx, e));
            javalin.routes.exception(StoreUnavailable.class, (e, ctx) -> answer(ctx, ProxyError.retryLater(503,
                    "store_unavailable", "The proxy's database is unreachable; try again shortly.",
                    StoreUnavailable.RETRY_AFTER_SECONDS)));
            // A body that breaks off before its end is the client's failure, not the proxy's.
            javalin.routes.exception(IOException.class, (e, ctx) -> answer(ctx,
                    ProxyError.badRequest("unreadable_body", "The request body could not be read.")));
            // Javalin's own refusals (a body over its size cap, say), in the proxy's words.
            javalin.routes.exception(HttpResponseException.class, (e, ctx) -> answer(ctx, switch (e.getStatus()) {
                case 413 -> ProxyError.of(413, "invalid_request_error", "body_too_large", "The request body is too large.");
                case 404 -> ProxyError.notFound();
                default -> e.getStatus() >= 500
                        ? ProxyError.of(500, "server_error", "internal_error", "The proxy failed on this request.")
                        : ProxyError.of(e.getStatus(), "invalid_request_error", "bad_request", "The request was refused.");
            }));
            javalin.routes.exception(Exception.class, (e, ctx) -> {
                String incident = String.format("%08x", ThreadLocalRandom.current().nextInt());
                LOG.error("incident {} on {} {}", incident, ctx.method(), ctx.path(), e);
                answer(ctx, ProxyError.of(500, "server_error", "internal_error",
                        "The proxy failed on this request (incident " + incident + ")."));
            });
            javalin.routes.error(404, ctx -> {
                if (ctx.attribute(ANSWERED) == null) {
                    answer(ctx, ProxyError.notFound());
                }
            });
        });
    }

    /** Headers on every answer: no caching, no sniffing, no framing, scripts only from this origin. */
    private static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        ctx.header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY").header("Referrer-Policy", "no-referrer")
                .header("Cross-Origin-Opener-Policy", "same-origin");
    }

    private static void answer(Context ctx, ProxyError error) {
        ObjectNode body = Json.object();
        body.putObject("error").put("message", error.getMessage()).put("type", error.type).put("code", error.code);
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.status(error.status).contentType("application/json").result(Json.write(body));
        if (error.retryAfterSeconds > 0) {
            ctx.header("Retry-After", String.valueOf(error.retryAfterSeconds));
        }
    }
}
