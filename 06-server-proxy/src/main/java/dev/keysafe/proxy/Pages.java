package dev.keysafe.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysafe.proxy.ClientTokens.Grant;
import dev.keysafe.proxy.ClientTokens.Issued;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The two pages the proxy serves, and the one route the chat page needs: {@code /} (a chat that
 * streams answers) gets a short-lived session token from {@code POST /session}, never the key and
 * never a long-lived token; {@code /admin} is a usage dashboard whose data needs the admin token.
 * Scripts are separate files, so the Content-Security-Policy can forbid inline script.
 */
final class Pages {

    /** How long a chat page's session token lives. */
    static final Duration SESSION_LIFETIME = Duration.ofMinutes(10);
    /** What a session token may do besides its budget (PROXY_SESSION_BUDGET_USD). */
    static final int SESSION_RPM = 20;
    static final int SESSION_MAX_TOKENS = 512;
    /** How many session tokens one address may get a minute. */
    static final int SESSIONS_PER_MINUTE = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** File served per path, with its content type; read once at start-up. */
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/chat.js", new String[] {"chat.js", "text/javascript; charset=utf-8"},
            "/admin", new String[] {"admin.html", "text/html; charset=utf-8"},
            "/admin.js", new String[] {"admin.js", "text/javascript; charset=utf-8"},
            "/style.css", new String[] {"style.css", "text/css; charset=utf-8"});

    private final Map<String, byte[]> content;
    private final ProxyConfig config;
    private final Store store;
    private final ClientTokens tokens;

    Pages(ProxyConfig config, Store store, ClientTokens tokens) {
        this.config = config;
        this.store = store;
        this.tokens = tokens;
        Map<String, byte[]> loaded = new java.util.HashMap<>();
        FILES.forEach((path, file) -> loaded.put(path, read(file[0])));
        this.content = Map.copyOf(loaded);
    }

    Set<String> paths() {
        return FILES.keySet();
    }

    void serve(Context ctx) {
        // The route's own path, not the request's: Javalin matches "/admin/" to "/admin" too.
        String path = ctx.endpoint().path;
        String[] file = FILES.get(path);
        if (file == null) {
            throw ProxyError.of(404, "not_found", "not_found", "Not found.");
        }
        ctx.contentType(file[1]).result(content.get(path));
    }

    /** {@code POST /session}: a token for the chat page, for one model, for minutes, with a small budget. */
    void session(Context ctx) {
        Store.Admission admission = store.admit("session:" + ctx.ip(), SESSIONS_PER_MINUTE);
        if (!admission.allowed()) {
            throw ProxyError.retryLater(429, "rate_limited", "Too many chat sessions from this address. "
                    + "Retry after the delay given.", (admission.retryAfter().toMillis() + 999) / 1000);
        }
        Issued issued = tokens.issue(new Grant("chat page session", Set.of(config.chatModel()),
                config.sessionBudgetNanoUsd(), SESSION_RPM, SESSION_MAX_TOKENS, SESSION_LIFETIME, "session"));
        ctx.status(201).contentType("application/json").result(JSON.createObjectNode()
                .put("token", issued.secret())
                .put("model", config.chatModel())
                .put("expires_in", SESSION_LIFETIME.toSeconds())
                .toString());
    }

    private static byte[] read(String file) {
        try (InputStream in = Pages.class.getResourceAsStream("/public/" + file)) {
            if (in == null) {
                throw new IllegalStateException("public/" + file + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
