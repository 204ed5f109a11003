package dev.keysafe.proxy.pages;

import dev.keysafe.common.Json;
import dev.keysafe.proxy.ClientTokens.Grant;
import dev.keysafe.proxy.ClientTokens.Issued;
import dev.keysafe.proxy.ClientTokens;
import dev.keysafe.proxy.ProxyError;
import dev.keysafe.proxy.limits.Prices;
import dev.keysafe.proxy.store.NanoUsd;
import dev.keysafe.proxy.store.Store;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The two pages the proxy serves, and the one route the chat page needs: {@code /} (a chat that
 * streams answers) gets a short-lived session token from {@code POST /session}, never the key and
 * never a long-lived token; {@code /admin} is the operator's dashboard (token states, alerts, usage,
 * creating and revoking tokens, the audit log), whose data and actions need the admin token, which
 * the page keeps in memory only. Scripts are separate files, so the Content-Security-Policy can
 * forbid inline script.
 */
public final class Pages {

    /** How long a chat page's session token lives. */
    static final Duration SESSION_LIFETIME = Duration.ofMinutes(10);
    /** What a session token may do besides its budget (PROXY_SESSION_BUDGET_USD). */
    static final int SESSION_RPM = 20;
    static final int SESSION_MAX_TOKENS = 512;
    /** How many session tokens one address may get a minute. */
    static final int SESSIONS_PER_MINUTE = 10;
    /** The conversation the page sends with a question is kept so that a session affords at least this many. */
    static final int QUESTIONS_PER_SESSION = 10;
    /** The most conversation the page sends, in bytes, however cheap the model; and what surrounds it in a request. */
    static final int MAX_CONVERSATION_BYTES = 16 * 1024;
    static final int REQUEST_OVERHEAD_BYTES = 256;

    /** File served per path, with its content type; read once at start-up. */
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/chat.js", new String[] {"chat.js", "text/javascript; charset=utf-8"},
            "/admin", new String[] {"admin.html", "text/html; charset=utf-8"},
            "/admin.js", new String[] {"admin.js", "text/javascript; charset=utf-8"},
            "/admin-view.js", new String[] {"admin-view.js", "text/javascript; charset=utf-8"},
            "/style.css", new String[] {"style.css", "text/css; charset=utf-8"},
            // Browsers ask for /favicon.ico unless a page names its icon; both get the one SVG.
            "/favicon.svg", new String[] {"favicon.svg", "image/svg+xml"},
            "/favicon.ico", new String[] {"favicon.svg", "image/svg+xml"});

    private final Map<String, byte[]> content = new HashMap<>();
    private final String chatModel;
    private final long sessionBudgetNanoUsd;
    private final Store store;
    private final ClientTokens tokens;
    private final long conversationBytes;

    /**
     * The pages, with chat-page sessions on {@code chatModel} and {@code sessionBudgetNanoUsd} each;
     * {@code prices} bound how much of a conversation the page may send with each question.
     */
    public Pages(String chatModel, long sessionBudgetNanoUsd, Prices prices, Store store, ClientTokens tokens) {
        this.chatModel = chatModel;
        this.sessionBudgetNanoUsd = sessionBudgetNanoUsd;
        this.store = store;
        this.tokens = tokens;
        this.conversationBytes = conversationBytes(prices.of(chatModel).orElseThrow(), sessionBudgetNanoUsd);
        FILES.forEach((path, file) -> content.put(path, read(file[0])));
    }

    /** Adds the pages and {@code POST /session} to {@code javalin}. */
    public void addTo(JavalinConfig javalin) {
        for (String path : FILES.keySet()) {
            javalin.routes.get(path, this::serve);
        }
        javalin.routes.post("/session", this::session);
    }

    private void serve(Context ctx) {
        // The route's own path, not the request's: Javalin matches "/admin/" to "/admin" too.
        String path = ctx.endpoint().path;
        String[] file = FILES.get(path);
        if (file == null) {
            throw ProxyError.notFound();
        }
        ctx.contentType(file[1]).result(content.get(path));
    }

    /** {@code POST /session}: a token for the chat page, for one model, for minutes, with a small budget. */
    private void session(Context ctx) {
        Store.Admission admission = store.admit("session:" + ctx.ip(), SESSIONS_PER_MINUTE);
        if (!admission.allowed()) {
            throw ProxyError.retryLater(429, "rate_limited", "Too many chat sessions from this address. "
                    + "Retry after the delay given.", admission.retryAfterSeconds());
        }
        Issued issued = tokens.issue(new Grant("chat page session", Set.of(chatModel), sessionBudgetNanoUsd,
                SESSION_RPM, SESSION_MAX_TOKENS, SESSION_LIFETIME, "session"));
        ctx.status(201).contentType("application/json").result(Json.write(Json.object()
                .put("token", issued.secret())
                .put("model", chatModel)
                .put("expires_in", SESSION_LIFETIME.toSeconds())
                .put("max_tokens", SESSION_MAX_TOKENS)
                .put("budget_usd", NanoUsd.toUsd(sessionBudgetNanoUsd))
                .put("conversation_bytes", conversationBytes)));
    }

    /**
     * How many bytes of conversation (earlier turns and the question, as JSON) one request may carry
     * so that its worst case, which the proxy reserves from the session's budget before the call, is
     * at most a {@link #QUESTIONS_PER_SESSION}th of that budget. 0: each question must stand alone.
     */
    static long conversationBytes(Prices.Price price, long sessionBudgetNanoUsd) {
        long forPrompt = sessionBudgetNanoUsd / QUESTIONS_PER_SESSION - SESSION_MAX_TOKENS * price.outputNanoUsd();
        if (price.inputNanoUsd() == 0) {
            return forPrompt < 0 ? 0 : MAX_CONVERSATION_BYTES;
        }
        return Math.max(0, Math.min(MAX_CONVERSATION_BYTES, forPrompt / price.inputNanoUsd() - REQUEST_OVERHEAD_BYTES));
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
