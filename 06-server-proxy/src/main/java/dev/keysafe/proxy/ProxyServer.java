package dev.keysafe.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ConfigException;
import dev.keysafe.common.ExitCode;
import dev.keysafe.proxy.Upstream.Route;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server that holds the OpenAI key so browsers and apps never do. Clients call it with a client
 * token, exactly as they would call OpenAI with a key; it checks what each token may do, calls
 * OpenAI with the server's key, and answers with OpenAI's answer or with an error of its own.
 *
 * <pre>PROXY_ADMIN_TOKEN=... OPENAI_API_KEY=... java dev.keysafe.proxy.ProxyServer</pre>
 *
 * <p>State (tokens, budgets, rate limits, ledger, audit) lives in this process by default, or in
 * PostgreSQL shared by several instances with {@code PROXY_STORE=postgres} ({@link StoreSettings}).
 *
 * <p>{@link #create} builds the server without starting it; {@link #main} starts it on HOST and
 * PORT, tests on 127.0.0.1 and a free port.
 */
public final class ProxyServer {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWERED = "keysafe.answered";

    /** Paths a browser page on the configured CORS origin may call. */
    private static final List<String> CORS_PATHS = List.of("/v1/chat/completions", "/v1/responses", "/v1/models",
            "/session");

    private ProxyServer() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        ProxyConfig config;
        try {
            // Read once, and check everything before binding a port: a wrong setting stops us here.
            config = ProxyConfig.fromEnv(env);
            StoreSettings storeSettings = StoreSettings.fromEnv(env);
            UpstreamKey key = new UpstreamKey(UpstreamKey.sourceFrom(env));
            // The database is reached, and its schema migrated, before a port is bound.
            Store store = storeSettings.open();
            Javalin app;
            try {
                app = create(config, key, store, Clock.systemUTC()).start(config.host(), config.port());
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                app.stop();
                store.close();
            }, "proxy-shutdown"));
            System.out.println("keysafe proxy listening on http://" + config.host() + ":" + app.port()
                    + "/ (upstream " + config.upstreamBaseUrl() + ", key " + key.current().fingerprint()
                    + (storeSettings.kind() == StoreSettings.Kind.POSTGRES ? ", store postgres" : "") + ")");
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(ExitCode.CONFIG);
        } catch (JavalinBindException e) {
            System.err.println("The proxy cannot listen on HOST and PORT (in use, or not an address of this "
                    + "machine): set PORT to a free port, or HOST to 127.0.0.1.");
            System.exit(ExitCode.CONFIG);
        }
    }

    /** The proxy for {@code config} and {@code key}, with in-memory state; not started. */
    public static Javalin create(ProxyConfig config, UpstreamKey key) {
        return create(config, key, new InMemoryStore(), Clock.systemUTC());
    }

    /** The proxy with its state in {@code store} and time from {@code clock}; not started. */
    public static Javalin create(ProxyConfig config, UpstreamKey key, Store store, Clock clock) {
        Alerts alerts = new Alerts(clock, config.alertWebhook());
        Monitor monitor = new Monitor(clock, alerts);
        ClientTokens tokens = new ClientTokens(store, clock);
        Upstream upstream = new Upstream(config.upstreamBaseUrl(), key, config.upstreamTimeout(), alerts);
        ChatProxy chat = new ChatProxy(config, store, tokens, upstream, monitor, clock);
        AdminApi admin = new AdminApi(config, store, tokens, key, monitor, clock);
        Pages pages = new Pages(config, store, tokens);

        return Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.http.maxRequestSize = config.maxBodyBytes();
            // Streams must leave as they arrive; compression would hold bytes back.
            javalin.http.compressionStrategy = CompressionStrategy.NONE;
            // No request logger, and never the bundled dev-logging plugin: it prints every header,
            // client tokens included.
            javalin.jetty.modifyServer(server -> server.setErrorHandler(quietJettyErrors()));
            javalin.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));

            javalin.routes.before(ctx -> securityHeaders(ctx, config));

            // The OpenAI-compatible routes: what a chat front end or an SDK needs, nothing more.
            javalin.routes.post("/v1/chat/completions", ctx -> chat.forward(ctx, Route.CHAT_COMPLETIONS));
            javalin.routes.post("/v1/responses", ctx -> chat.forward(ctx, Route.RESPONSES));
            javalin.routes.get("/v1/models", chat::models);

            // The operator's routes: the admin token, or nothing.
            javalin.routes.post("/admin/tokens", adminOnly(admin, admin::createToken));
            javalin.routes.get("/admin/tokens", adminOnly(admin, admin::listTokens));
            javalin.routes.delete("/admin/tokens/{id}", adminOnly(admin, admin::revokeToken));
            javalin.routes.get("/admin/usage", adminOnly(admin, admin::usage));
            javalin.routes.get("/admin/audit", adminOnly(admin, admin::auditLog));
            javalin.routes.post("/admin/rotate", adminOnly(admin, admin::rotate));

            // The pages, and the short-lived token the chat page runs on.
            for (String path : pages.paths()) {
                javalin.routes.get(path, pages::serve);
            }
            javalin.routes.post("/session", pages::session);
            javalin.routes.get("/health", ctx -> health(ctx, store));
            for (String path : CORS_PATHS) {
                javalin.routes.options(path, ctx -> preflight(ctx, config));
            }

            // Every error a client sees is written here; none quotes an exception or the upstream.
            javalin.routes.exception(ProxyError.class, (e, ctx) -> answer(ctx, e));
            javalin.routes.exception(HttpResponseException.class, (e, ctx) -> answer(ctx, fromJavalin(e.getStatus())));
            javalin.routes.exception(Exception.class, (e, ctx) -> {
                String incident = HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(4)
                        .putInt(java.util.concurrent.ThreadLocalRandom.current().nextInt()).array());
                LOG.error("incident {} on {} {}", incident, ctx.method(), ctx.path(), e);
                answer(ctx, ProxyError.of(500, "server_error", "internal_error",
                        "The proxy failed on this request (incident " + incident + ")."));
            });
            javalin.routes.error(404, ctx -> {
                if (ctx.attribute(ANSWERED) == null) {
                    answer(ctx, ProxyError.of(404, "not_found", "not_found", "Not found."));
                }
            });
        });
    }

    private static Handler adminOnly(AdminApi admin, Handler handler) {
        return ctx -> {
            admin.requireAdmin(ctx);
            handler.handle(ctx);
        };
    }

    /**
     * {@code GET /health}: {@code ok}, or 503 {@code degraded} while the store cannot answer (a load
     * balancer then sends traffic elsewhere). No details beyond that: no versions, no addresses.
     */
    private static void health(Context ctx, Store store) {
        ctx.contentType("application/json");
        if (store.reachable()) {
            ctx.result("{\"status\":\"ok\"}");
        } else {
            ctx.status(503).header("Retry-After", String.valueOf(PostgresStore.RETRY_AFTER_SECONDS))
                    .result("{\"status\":\"degraded\",\"store\":\"unreachable\"}");
        }
    }

    /** Headers on every answer: no caching, no sniffing, no framing, scripts only from this origin. */
    private static void securityHeaders(Context ctx, ProxyConfig config) {
        ctx.header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        String origin = ctx.header("Origin");
        if (origin != null && config.corsOrigin().filter(origin::equals).isPresent()) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
        }
    }

    /** CORS preflight: answered only for the configured origin; closed (404) otherwise. */
    private static void preflight(Context ctx, ProxyConfig config) {
        String origin = ctx.header("Origin");
        if (origin == null || config.corsOrigin().filter(origin::equals).isEmpty()) {
            throw ProxyError.of(404, "not_found", "not_found", "Not found.");
        }
        ctx.header("Access-Control-Allow-Methods", "GET, POST");
        ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
        ctx.header("Access-Control-Max-Age", "600");
        ctx.status(204);
    }

    private static void answer(Context ctx, ProxyError error) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", error.getMessage()).put("type", error.type())
                .put("code", error.code());
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.status(error.status()).contentType("application/json").result(body.toString());
        if (error.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", String.valueOf(error.retryAfterSeconds()));
        }
    }

    /** Javalin's own refusals (a body over its size cap, say), in the proxy's words. */
    private static ProxyError fromJavalin(int status) {
        return switch (status) {
            case 413 -> ProxyError.of(413, "invalid_request_error", "body_too_large", "The request body is too large.");
            case 404 -> ProxyError.of(404, "not_found", "not_found", "Not found.");
            default -> status >= 500
                    ? ProxyError.of(500, "server_error", "internal_error", "The proxy failed on this request.")
                    : ProxyError.of(status, "invalid_request_error", "bad_request", "The request was refused.");
        };
    }

    /** Jetty's own error pages (a malformed request line, headers too large): status only, no details. */
    private static ErrorHandler quietJettyErrors() {
        ErrorHandler handler = new ErrorHandler();
        handler.setShowStacks(false);
        handler.setShowCauses(false);
        handler.setShowMessageInTitle(false);
        return handler;
    }
}
