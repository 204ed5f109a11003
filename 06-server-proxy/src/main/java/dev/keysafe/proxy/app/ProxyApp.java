package dev.keysafe.proxy.app;

import dev.keysafe.common.ConfigException;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.proxy.ClientTokens;
import dev.keysafe.proxy.ProxyError;
import dev.keysafe.proxy.ProxyServer;
import dev.keysafe.proxy.StoreUnavailable;
import dev.keysafe.proxy.admin.AdminApi;
import dev.keysafe.proxy.admin.TokenState;
import dev.keysafe.proxy.key.UpstreamKey;
import dev.keysafe.proxy.limits.Limits;
import dev.keysafe.proxy.monitor.Alerts;
import dev.keysafe.proxy.monitor.Monitor;
import dev.keysafe.proxy.pages.Pages;
import dev.keysafe.proxy.store.Store;
import dev.keysafe.proxy.store.StoreSettings;
import dev.keysafe.proxy.store.Upkeep;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.util.JavalinBindException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The proxy a user runs ({@code ./kit run 06}): the lesson's {@link ProxyServer} with everything a
 * deployment adds plugged in. Client tokens with budgets and rate limits ({@link Limits}), state in
 * this process or in PostgreSQL shared by several instances ({@link StoreSettings}), a key that
 * rotates ({@link UpstreamKey}), alerts and a usage monitor, the admin API, the chat page and
 * dashboard, {@code /health} and CORS.
 *
 * <pre>PROXY_ADMIN_TOKEN=... OPENAI_API_KEY=... java dev.keysafe.proxy.app.ProxyApp</pre>
 *
 * <p>{@link #create} builds the server without starting it; {@link #main} starts it on HOST and
 * PORT, tests on 127.0.0.1 and a free port.
 */
public final class ProxyApp {

    /** Paths a browser page on the configured CORS origin may call. */
    private static final List<String> CORS_PATHS = List.of("/v1/chat/completions", "/v1/responses", "/v1/models",
            "/session");

    private ProxyApp() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        try {
            // Read once, and check everything before binding a port: a wrong setting stops us here.
            AppConfig config = AppConfig.fromEnv(env);
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
                    + "/ (upstream " + config.proxy().upstreamBaseUrl() + ", key " + key.current().fingerprint()
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

    /** The full proxy for {@code config} and {@code key}, its state in {@code store}, time from {@code clock}; not started. */
    public static Javalin create(AppConfig config, UpstreamKey key, Store store, Clock clock) {
        Alerts alerts = new Alerts(clock, config.alertWebhook());
        Monitor monitor = new Monitor(clock, alerts, store.minuteCounts());
        ClientTokens tokens = new ClientTokens(store, clock);
        AdminApi admin = new AdminApi(config::isAdminToken, config.prices(), store, tokens, key, monitor, clock);
        Pages pages = new Pages(config.chatModel(), config.sessionBudgetNanoUsd(), config.prices(), store, tokens);
        monitor.alertWhenLeftCannotCover(TokenState.leastRequest(config.prices()));
        Background background = new Background();
        background.every(config.housekeeping().keyFileCheck(), "the key file's check", key.fileWatch(alerts));
        background.every(config.housekeeping().storeUpkeep(), "the store's upkeep", new Upkeep(store, clock,
                config.housekeeping().ledgerRetention(), config.housekeeping().auditRetention()));
        return ProxyServer.create(config.proxy(), key.alertingOn(alerts), tokens,
                new Limits(store, config.prices(), monitor, clock, config.proxy()), javalin -> {
                    javalin.events.serverStarted(background::start);
                    javalin.events.serverStopped(background::stop);
                    admin.addTo(javalin);
                    pages.addTo(javalin);
                    javalin.routes.get("/health", ctx -> health(ctx, store));
                    cors(javalin, config.corsOrigin());
                });
    }

    /**
     * {@code GET /health}: {@code ok}, or 503 {@code degraded} while the store cannot answer (a load
     * balancer then sends traffic elsewhere). No details beyond that: no versions, no addresses.
     */
    private static void health(Context ctx, Store store) {
        ctx.contentType("application/json");
        if (store.reachable()) {
            ctx.result(Json.write(Json.object().put("status", "ok")));
        } else {
            ctx.status(503).header("Retry-After", String.valueOf(StoreUnavailable.RETRY_AFTER_SECONDS))
                    .result(Json.write(Json.object().put("status", "degraded").put("store", "unreachable")));
        }
    }

    /**
     * CORS, for a browser page on {@code origin} only: its requests get {@code Access-Control-Allow-Origin},
     * its preflights are answered; any other origin's preflight is closed (404).
     */
    private static void cors(JavalinConfig javalin, Optional<String> origin) {
        javalin.routes.before(ctx -> {
            String from = ctx.header("Origin");
            if (from != null && origin.filter(from::equals).isPresent()) {
                ctx.header("Access-Control-Allow-Origin", from);
                ctx.header("Vary", "Origin");
            }
        });
        for (String path : CORS_PATHS) {
            javalin.routes.options(path, ctx -> {
                String from = ctx.header("Origin");
                if (from == null || origin.filter(from::equals).isEmpty()) {
                    throw ProxyError.notFound();
                }
                ctx.header("Access-Control-Allow-Methods", "GET, POST");
                ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
                ctx.header("Access-Control-Max-Age", "600");
                ctx.status(204);
            });
        }
    }
}
