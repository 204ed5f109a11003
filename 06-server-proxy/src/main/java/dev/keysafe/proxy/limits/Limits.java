package dev.keysafe.proxy.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.Guard;
import dev.keysafe.proxy.ProxyConfig;
import dev.keysafe.proxy.ProxyError;
import dev.keysafe.proxy.StoreUnavailable;
import dev.keysafe.proxy.Upstream.Route;
import dev.keysafe.proxy.monitor.Monitor;
import dev.keysafe.proxy.store.NanoUsd;
import dev.keysafe.proxy.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full proxy's {@link Guard}: each token's rate limit (requests a minute) before its body is
 * read; then a cost that can be capped before the call (an output cap within the token's, at most
 * {@link #MAX_CHOICES} choices, nothing the proxy cannot bound), and that worst case reserved from
 * the token's budget; after the answer, the real cost settled from its usage and written to the
 * ledger. Every step that guards money or rate is atomic in the {@link Store}, so racing requests,
 * on one instance or several, never overspend. Each reservation carries its request's id and lapses
 * when no request could still be running ({@link #lifetime}), so one that never settled (the store
 * dropped mid-request) is released by the store's upkeep instead of blocking the budget for good.
 */
public final class Limits implements Guard {

    /** Body fields whose cost the proxy cannot bound before the call (stored conversations, background runs). */
    public static final Set<String> UNBOUNDED_FIELDS = Set.of("previous_response_id", "conversation", "background");
    static final int MAX_CHOICES = 4;
    /** How long the lesson's upstream client may take to connect, each time it calls (see {@code Upstream}). */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(Limits.class);

    private final Store store;
    private final Prices prices;
    private final Monitor monitor;
    private final Clock clock;
    private final Duration lifetime;
    private final Duration keepAliveEvery;

    public Limits(Store store, Prices prices, Monitor monitor, Clock clock, ProxyConfig proxy) {
        this.store = store;
        this.prices = prices;
        this.monitor = monitor;
        this.clock = clock;
        this.lifetime = lifetime(proxy);
        // Under the upstream timeout, so a stream's next piece always comes before its reservation lapses.
        this.keepAliveEvery = proxy.upstreamTimeout().dividedBy(2);
    }

    /**
     * The longest a request can run without a sign of life: two calls (the second after a 401, with a newer
     * key), each connecting and waiting for the answer to start, then the stream idle timeout. A stream that
     * goes on sending moves its reservation's expiry on as it goes.
     */
    public static Duration lifetime(ProxyConfig proxy) {
        return CONNECT_TIMEOUT.plus(proxy.upstreamTimeout()).multipliedBy(2).plus(proxy.streamIdleTimeout());
    }

    @Override
    public void admit(ClientToken token) {
        Store.Admission admission = store.admit("token:" + token.id(), token.rpm());
        if (!admission.allowed()) {
            throw ProxyError.retryLater(429, "rate_limited", "This token's rate limit (" + token.rpm()
                    + " requests a minute) is reached. Retry after the delay given.", admission.retryAfterSeconds());
        }
        monitor.requestArrived(token);
    }

    @Override
    public Reservation reserve(Route route, ClientToken token, ObjectNode body) {
        for (String field : UNBOUNDED_FIELDS) {
            if (body.has(field)) {
                throw ProxyError.badRequest("field_not_allowed", "The field '" + field + "' is not accepted here: "
                        + "the proxy cannot cap the cost of such a request before making it.");
            }
        }
        long maxOutput = outputCap(route, body, token);
        int choices = choices(body);
        boolean stream = body.path("stream").asBoolean(false);
        if (stream && route == Route.CHAT_COMPLETIONS) {
            JsonNode options = body.get("stream_options");
            if (options != null && !options.isObject() && !options.isNull()) {
                throw ProxyError.badRequest("invalid_stream_options", "The field 'stream_options' must be an object.");
            }
            // So the stream ends with its real usage and can be billed exactly.
            ObjectNode asked = options instanceof ObjectNode object ? object : body.putObject("stream_options");
            asked.put("include_usage", true);
        }
        String model = body.path("model").textValue();
        int bytes = Json.write(body).getBytes(StandardCharsets.UTF_8).length;
        // A token is never shorter than a byte, so the body's size bounds the prompt's tokens.
        long worstCase = prices.cost(model, bytes + 16L, choices * maxOutput);
        String requestId = "req_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        Instant reserved = clock.instant();
        if (!store.reserve(token.id(), requestId, worstCase, reserved.plus(lifetime))) {
            Store.Budget budget = store.budget(token.id());
            throw ProxyError.of(429, "insufficient_quota", "budget_exceeded", "This token's budget cannot cover "
                    + "the request: up to $" + NanoUsd.toUsd(worstCase).toPlainString() + " needed, $"
                    + NanoUsd.toUsd(Math.max(0, budget.leftNanoUsd())).toPlainString()
                    + " left. Ask for a larger budget, or lower max_tokens.");
        }
        Meter meter = new Meter(bytes, stream);
        return new Reservation() {
            private Instant extended = reserved;

            @Override
            public void relayed(byte[] relayed, int length) {
                meter.feed(relayed, length);
                Instant now = clock.instant();
                if (now.isAfter(extended.plus(keepAliveEvery))) {
                    extended = now;
                    try {
                        store.extend(token.id(), requestId, now.plus(lifetime));
                    } catch (StoreUnavailable outage) {
                        // Said once by the store; the stream goes on, and its settle (or the upkeep) ends it.
                    }
                }
            }

            @Override
            public void settle(int status) {
                long charged = meter.seenAnything()
                        ? Math.min(worstCase, prices.cost(model, meter.promptTokens(), meter.completionTokens())) : 0;
                if (!store.settle(token.id(), requestId, charged)) {
                    LOG.warn("request {} of {} ended after its reservation had lapsed and been released; charged "
                            + "within what its budget had left", requestId, token.id());
                }
                store.record(new Store.LedgerEntry(token.id(), clock.instant(), route.path(), model, status,
                        meter.promptTokens(), meter.completionTokens(), charged));
                monitor.settled(token, store.budget(token.id()));
            }
        };
    }

    /** The most output the request may ask for; the token's cap, written into the body, when it says none. */
    private static long outputCap(Route route, ObjectNode body, ClientToken token) {
        String[] fields = route == Route.CHAT_COMPLETIONS
                ? new String[] {"max_completion_tokens", "max_tokens"} : new String[] {"max_output_tokens"};
        long maxOutput = 0;
        for (String field : fields) {
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
            body.put(fields[0], token.maxTokens());
        }
        return maxOutput;
    }

    private static int choices(ObjectNode body) {
        JsonNode n = body.get("n");
        if (n == null || n.isNull()) {
            return 1;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1 || n.intValue() > MAX_CHOICES) {
            throw ProxyError.badRequest("invalid_n", "The field 'n' must be a whole number from 1 to "
                    + MAX_CHOICES + ".");
        }
        return n.intValue();
    }
}
