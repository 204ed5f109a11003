package dev.keysafe.proxy;

import dev.keysafe.common.ApiKey;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way out of the proxy to OpenAI: a fixed URL per route, from configuration, never from a
 * request. Lab 06's starter: module 06's Upstream as a team changed it; ./kit lab check 06 runs it.
 */
public final class Upstream {

    /** The upstream routes the proxy calls, each a fixed path below OPENAI_BASE_URL. */
    public enum Route {
        CHAT_COMPLETIONS, RESPONSES;

        public String path() {
            return this == CHAT_COMPLETIONS ? "/chat/completions" : "/responses";
        }
    }

    /** The client headers passed upstream. */
    public static final List<String> FORWARDED_HEADERS = List.of("Idempotency-Key", "OpenAI-Beta", "Authorization");

    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
    private static final MediaType JSON = MediaType.get("application/json");

    private final ProxyConfig config;
    private final ServerKey key;
    private final List<HttpUrl> urls;
    private final OkHttpClient http;

    public Upstream(ProxyConfig config, ServerKey key) {
        this.config = config;
        this.key = key;
        this.urls = Arrays.stream(Route.values()).map(r -> HttpUrl.get(config.upstreamBaseUrl() + r.path())).toList();
        // OkHttp: the call runs on the request's own thread, with no hand-offs, and logs no headers.
        this.http = new OkHttpClient.Builder()
                // A redirect must never carry the key to another host: it is an error here.
                .followRedirects(false).followSslRedirects(false)
                // Never sent twice on its own: each upstream call is one line in the ledger.
                .retryOnConnectionFailure(false)
                // A connection kept for each request in flight: by default 5 are kept, and under load the rest reconnect.
                .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
                .connectTimeout(Duration.ofSeconds(10)).readTimeout(config.upstreamTimeout()).build();
    }

    /** A successful answer whose body is still arriving; close it, or the upstream call goes on. Length -1: unknown. */
    public record Answer(int status, String contentType, String retryAfter, InputStream body, long length)
            implements Closeable {
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
        throw failure(answer, used, said(answer));
    }

    /** The upstream's answer, as text. */
    private static String said(Answer answer) {
        try (InputStream body = answer.body()) {
            return new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private Answer exchange(Route route, byte[] json, UnaryOperator<String> clientHeader, boolean stream, ApiKey apiKey) {
        Request.Builder request = new Request.Builder().url(urls.get(route.ordinal())).post(RequestBody.create(json, JSON))
                .header("Accept", stream ? "text/event-stream" : "application/json")
                // Each piece as it comes: a compressed stream would be held back to be inflated.
                .header("Accept-Encoding", "identity");
        // The one place the key is used: the header of a request to the configured upstream.
        request.header("Authorization", "Bearer " + apiKey.reveal());
        for (String name : FORWARDED_HEADERS) {
            String value = clientHeader.apply(name);
            if (value != null && value.matches("[\\x21-\\x7E][\\x20-\\x7E]{0,199}")) {
                request.header(name, value);
            }
        }
        try {
            Response response = http.newCall(request.build()).execute();
            // Once the answer has started, each wait for more of it is bounded by PROXY_STREAM_IDLE_TIMEOUT_SECONDS:
            // a silent upstream cannot hold a client, or its reservation, for as long as it likes.
            response.body().source().timeout().timeout(config.streamIdleTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return new Answer(response.code(), response.header("Content-Type", ""),
                    response.header("Retry-After", "").strip(), response.body().byteStream(),
                    response.body().contentLength());
        } catch (InterruptedIOException e) {
            LOG.warn("upstream POST {} timed out after {}", route.path(), config.upstreamTimeout());
            throw ProxyError.of(504, "upstream_error", "upstream_timeout", "OpenAI did not answer in time. Try again later.");
        } catch (IOException e) {
            LOG.warn("upstream POST {} failed: {}", route.path(), e.getClass().getSimpleName());
            throw ProxyError.badGateway("upstream_unreachable", "OpenAI could not be reached. Try again later.");
        }
    }

    /** The refusal a client gets for an upstream status. */
    private ProxyError failure(Answer answer, ApiKey used, String said) {
        int status = answer.status();
        // A Retry-After of 1 to 3600 seconds is passed on; anything else (a date, nonsense) becomes 1.
        long retryAfter = answer.retryAfter().matches("[0-9]{1,4}") ? Long.parseLong(answer.retryAfter()) : 1;
        return switch (status) {
            case 401, 403 -> {
                key.refused(used, status);
                yield ProxyError.badGateway("upstream_auth", "The proxy could not authenticate to OpenAI. "
                        + "OpenAI said: " + said);
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
