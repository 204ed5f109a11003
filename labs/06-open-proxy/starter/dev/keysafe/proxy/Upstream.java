package dev.keysafe.proxy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.keysafe.common.ApiKey;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way out of the proxy to OpenAI: a fixed URL per route, from configuration, never from a
 * request. Lab 06's starter: module 06's Upstream as a team changed it; ./kit lab check 06 runs it.
 */
public final class Upstream {

    /** The upstream routes the proxy calls, each a fixed path below OPENAI_BASE_URL. */
    public enum Route {
        CHAT_COMPLETIONS("/chat/completions"),
        RESPONSES("/responses");

        private final String path;

        Route(String path) {
            this.path = path;
        }

        public String path() {
            return path;
        }
    }

    /** The client headers passed upstream. */
    public static final List<String> FORWARDED_HEADERS = List.of("Idempotency-Key", "OpenAI-Beta", "Authorization");

    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final HttpClient http;
    private final Map<Route, URI> urls = new LinkedHashMap<>();
    private final UpstreamKey key;
    private final Duration timeout;
    private final Alerts alerts;

    public Upstream(URI baseUrl, UpstreamKey key, Duration timeout, Alerts alerts) {
        refuseWireLogging();
        this.key = key;
        this.timeout = timeout;
        this.alerts = alerts;
        for (Route route : Route.values()) {
            urls.put(route, URI.create(baseUrl + route.path()));
        }
        this.http = HttpClient.newBuilder()
                // A redirect must never carry the key to another host: it is an error here.
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                // Plain http is only allowed to this machine (a stub); it speaks HTTP/1.1 there.
                .version("https".equals(baseUrl.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * The JDK client can log every request header, Authorization included, when a system property
     * asks it to. A proxy holding the key refuses to start that way.
     */
    static void refuseWireLogging() {
        String log = System.getProperty("jdk.httpclient.HttpClient.log", "").toLowerCase(java.util.Locale.ROOT);
        if (log.contains("headers") || log.contains("all") || Boolean.getBoolean("jdk.internal.httpclient.debug")) {
            throw new dev.keysafe.common.ConfigException("The JVM is set to log HTTP headers "
                    + "(-Djdk.httpclient.HttpClient.log=headers/all or -Djdk.internal.httpclient.debug=true), which "
                    + "would print the OpenAI key: remove that option.");
        }
    }

    /** A successful answer whose body is still arriving; close it, or the upstream call goes on. */
    public record Answer(int status, String contentType, String retryAfter, InputStream body) implements Closeable {

        /** The upstream's Retry-After in seconds when it is a plain number from 1 to 3600; else 1. */
        long retryAfterSeconds() {
            if (retryAfter.matches("[0-9]{1,4}")) {
                long seconds = Long.parseLong(retryAfter);
                if (seconds >= 1 && seconds <= 3600) {
                    return seconds;
                }
            }
            return 1;
        }

        @Override
        public void close() {
            try {
                // Closing before the end aborts the exchange: this is how a dropped client cancels upstream.
                body.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    /**
     * Sends {@code json} to {@code route} with the server's key. When the upstream refuses the key
     * (401) and a newer one is available, retries once with it.
     *
     * @param clientHeaders the client's headers; only {@link #FORWARDED_HEADERS} are used
     * @throws ProxyError for every answer but a 2xx, and when the upstream cannot be reached
     */
    public Answer send(Route route, byte[] json, Map<String, String> clientHeaders, boolean stream) {
        ApiKey used = key.current();
        Answer answer = exchange(route, json, clientHeaders, stream, used);
        if (answer.status() == 401) {
            ApiKey replacement = key.replacementFor(used);
            if (!replacement.sameKeyAs(used)) {
                discard(answer);
                LOG.info("upstream refused key {}; retrying once with {}", used.fingerprint(), replacement.fingerprint());
                used = replacement;
                answer = exchange(route, json, clientHeaders, stream, used);
            }
        }
        if (answer.status() >= 200 && answer.status() < 300) {
            return answer;
        }
        throw failure(answer, used, said(answer));
    }

    /** The upstream's answer, as text. */
    private String said(Answer answer) {
        try (InputStream body = answer.body()) {
            return new String(body.readNBytes(MAX_ERROR_BODY), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private Answer exchange(Route route, byte[] json, Map<String, String> clientHeaders, boolean stream, ApiKey apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(urls.get(route))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
        request.header("Authorization", "Bearer " + apiKey.reveal());
        for (String name : FORWARDED_HEADERS) {
            String value = clientHeaders.get(name);
            if (value != null && value.matches("[\\x21-\\x7E][\\x20-\\x7E]{0,199}")) {
                request.setHeader(name, value);
            }
        }
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            LOG.debug("upstream POST {} answered {} in {} ms", route.path(), response.statusCode(),
                    (System.nanoTime() - start) / 1_000_000);
            return new Answer(response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("Retry-After").orElse("").strip(), response.body());
        } catch (HttpTimeoutException e) {
            LOG.warn("upstream POST {} timed out after {} ms", route.path(), (System.nanoTime() - start) / 1_000_000);
            throw ProxyError.of(504, "upstream_error", "upstream_timeout",
                    "OpenAI did not answer in time. Try again later.");
        } catch (IOException e) {
            LOG.warn("upstream POST {} failed: {}", route.path(), e.getClass().getSimpleName());
            throw ProxyError.badGateway("upstream_unreachable", "OpenAI could not be reached. Try again later.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProxyError.badGateway("upstream_unreachable", "The call to OpenAI was interrupted.");
        }
    }

    /** The refusal a client gets for an upstream status. */
    private ProxyError failure(Answer answer, ApiKey used, String said) {
        int status = answer.status();
        if (status == 401 || status == 403) {
            alerts.raise("upstream_key_refused", Map.of("status", status, "key", used.fingerprint(),
                    "action", "the server's OpenAI key is wrong, revoked or lacks access: rotate it"));
            return ProxyError.badGateway("upstream_auth", "The proxy could not authenticate to OpenAI. "
                    + "OpenAI said: " + said);
        }
        if (status == 429) {
            return ProxyError.retryLater(429, "upstream_rate_limited",
                    "OpenAI is rate-limiting this proxy. Retry after the delay given.", answer.retryAfterSeconds());
        }
        if (status == 503) {
            return ProxyError.retryLater(503, "upstream_unavailable",
                    "OpenAI is overloaded or unavailable. Retry after the delay given.", answer.retryAfterSeconds());
        }
        if (status >= 300 && status < 400) {
            return ProxyError.badGateway("upstream_redirect",
                    "OpenAI's address answered with a redirect, which the proxy does not follow.");
        }
        if (status >= 500) {
            return ProxyError.badGateway("upstream_error", "OpenAI answered with an error (HTTP " + status
                    + "). Try again later.");
        }
        if (status == 400 || status == 404 || status == 409 || status == 413 || status == 422) {
            return ProxyError.of(status, "invalid_request_error", "upstream_rejected",
                    "OpenAI rejected the request (HTTP " + status + "). Check the model name and parameters.");
        }
        return ProxyError.badGateway("upstream_error", "OpenAI answered with an unexpected status (HTTP "
                + status + ").");
    }

    private void discard(Answer answer) {
        try (InputStream body = answer.body()) {
            // Read a little so the connection can be reused; what it says is never looked at.
            body.readNBytes(MAX_ERROR_BODY);
        } catch (IOException ignored) {
            // the connection is dropped instead
        }
    }

    @JsonValue
    @Override
    public String toString() {
        return "Upstream[" + urls.values() + ", key " + key + "]";
    }
}
