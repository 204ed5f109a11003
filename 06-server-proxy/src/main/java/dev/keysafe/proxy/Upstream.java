package dev.keysafe.proxy;

import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way out of the proxy to OpenAI: a fixed URL per route (from configuration, never from a
 * request), the server's key as the only credential, and an allowlist of the client's headers.
 * Any answer but a success is turned into a {@link ProxyError} written here, so no upstream body
 * (OpenAI's 401 echoes the key it was sent) and no exception text ever reaches a client.
 */
public final class Upstream {

    /** The upstream routes the proxy calls, each a fixed path below OPENAI_BASE_URL. */
    public enum Route {
        CHAT_COMPLETIONS, RESPONSES;

        public String path() {
            return this == CHAT_COMPLETIONS ? "/chat/completions" : "/responses";
        }
    }

    /** The only client headers passed upstream. Authorization, cookies, Host, X-Forwarded-* never are. */
    public static final List<String> FORWARDED_HEADERS = List.of("Idempotency-Key", "OpenAI-Beta");

    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
    /** Closes answers whose upstream fell silent, so a slow-loris cannot hold a client, or its reservation. */
    private static final Scheduler DEADLINES = new ScheduledExecutorScheduler("upstream-deadlines", true);

    private final ProxyConfig config;
    private final ServerKey key;
    private final HttpClient http;

    public Upstream(ProxyConfig config, ServerKey key) {
        // The JDK client logs every header, Authorization included, when a system property asks it to.
        String log = System.getProperty("jdk.httpclient.HttpClient.log", "").toLowerCase(Locale.ROOT);
        if (log.contains("headers") || log.contains("all") || Boolean.getBoolean("jdk.internal.httpclient.debug")) {
            throw new ConfigException("The JVM is set to log HTTP headers (-Djdk.httpclient.HttpClient.log="
                    + "headers/all or -Djdk.internal.httpclient.debug=true), which would print the OpenAI key: "
                    + "remove that option.");
        }
        this.config = config;
        this.key = key;
        LifeCycle.start(DEADLINES);
        this.http = HttpClient.newBuilder()
                // A redirect must never carry the key to another host: it is an error here.
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10))
                // Plain http is only allowed to this machine (a stub); it speaks HTTP/1.1 there.
                .version("https".equals(config.upstreamBaseUrl().getScheme())
                        ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1).build();
    }

    /** A successful answer whose body is still arriving; close it, or the upstream call goes on. */
    public record Answer(int status, String contentType, String retryAfter, InputStream body) implements Closeable {
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

    /** One read of an answer's body. */
    public interface Read<T> {
        T from(InputStream body) throws IOException;
    }

    /** {@code read} of the body within PROXY_STREAM_IDLE_TIMEOUT_SECONDS, or the answer is closed and this throws. */
    public <T> T read(Answer answer, Read<T> read) throws IOException {
        var deadline = DEADLINES.schedule(answer::close, config.streamIdleTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            return read.from(answer.body());
        } catch (IOException e) {
            throw deadline.cancel() ? e : new SocketTimeoutException("the upstream fell silent");
        } finally {
            deadline.cancel();
        }
    }

    /**
     * Sends {@code json} to {@code route} with the server's key and the client's {@link #FORWARDED_HEADERS}; after a
     * 401, retries once if the key has a newer one. Any answer but a 2xx, or none, is a {@link ProxyError}.
     */
    public Answer send(Route route, byte[] json, UnaryOperator<String> clientHeader, boolean stream) {
        ApiKey used = key.current();
        Answer answer = exchange(route, json, clientHeader, stream, used);
        ApiKey replacement = answer.status() == 401 ? key.replacementFor(used) : used;
        if (!replacement.sameKeyAs(used)) {
            answer.close();
            LOG.info("upstream refused key {}; retrying once with {}", used.fingerprint(), replacement.fingerprint());
            used = replacement;
            answer = exchange(route, json, clientHeader, stream, used);
        }
        if (answer.status() / 100 == 2) {
            return answer;
        }
        // What the upstream said is never read: OpenAI's 401 body quotes the key it was sent.
        answer.close();
        throw failure(answer, used);
    }

    private Answer exchange(Route route, byte[] json, UnaryOperator<String> clientHeader, boolean stream, ApiKey apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.upstreamBaseUrl() + route.path()))
                .timeout(config.upstreamTimeout()).POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .header("Content-Type", "application/json").header("Accept", stream ? "text/event-stream" : "application/json");
        for (String name : FORWARDED_HEADERS) {
            String value = clientHeader.apply(name);
            if (value != null && value.matches("[\\x21-\\x7E][\\x20-\\x7E]{0,199}")) {
                request.header(name, value);
            }
        }
        // The one place the key is used: the header of a request to the configured upstream.
        request.header("Authorization", "Bearer " + apiKey.reveal());
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("Retry-After").orElse("").strip(), response.body());
        } catch (HttpTimeoutException e) {
            LOG.warn("upstream POST {} timed out after {}", route.path(), config.upstreamTimeout());
            throw ProxyError.of(504, "upstream_error", "upstream_timeout", "OpenAI did not answer in time. Try again later.");
        } catch (IOException e) {
            LOG.warn("upstream POST {} failed: {}", route.path(), e.getClass().getSimpleName());
            throw ProxyError.badGateway("upstream_unreachable", "OpenAI could not be reached. Try again later.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProxyError.badGateway("upstream_unreachable", "The call to OpenAI was interrupted.");
        }
    }

    /** The refusal a client gets for an upstream status, in the proxy's own words. */
    private ProxyError failure(Answer answer, ApiKey used) {
        int status = answer.status();
        // A Retry-After of 1 to 3600 seconds is passed on; anything else (a date, nonsense) becomes 1.
        long retryAfter = answer.retryAfter().matches("[0-9]{1,4}") ? Long.parseLong(answer.retryAfter()) : 1;
        return switch (status) {
            case 401, 403 -> {
                key.refused(used, status);
                yield ProxyError.badGateway("upstream_auth", "The proxy could not authenticate to OpenAI. "
                        + "Its operator has been alerted.");
            }
            case 429, 503 -> ProxyError.retryLater(status, status == 429 ? "upstream_rate_limited" : "upstream_unavailable",
                    (status == 429 ? "OpenAI is rate-limiting this proxy." : "OpenAI is overloaded or unavailable.")
                            + " Retry after the delay given.", retryAfter <= 3600 ? retryAfter : 1);
            case 400, 404, 409, 413, 422 -> ProxyError.of(status, "invalid_request_error", "upstream_rejected",
                    "OpenAI rejected the request (HTTP " + status + "). Check the model name and parameters.");
            default -> status / 100 == 3
                    ? ProxyError.badGateway("upstream_redirect", "OpenAI's address answered with a redirect, which "
                            + "the proxy does not follow.")
                    : ProxyError.badGateway("upstream_error", "OpenAI answered with an error (HTTP " + status
                            + "). Try again later.");
        };
    }
}
