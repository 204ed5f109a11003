package dev.keysafe.proxy.admin;

import dev.keysafe.common.Json;
import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.limits.Prices;
import dev.keysafe.proxy.monitor.Monitor;
import dev.keysafe.proxy.store.NanoUsd;
import dev.keysafe.proxy.store.Store;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * What a client token can do right now: one word, which the admin API and the dashboard both show,
 * and the reason in a few words. The first of these that holds:
 * <ol>
 * <li>{@code revoked}: every request refused, for good;</li>
 * <li>{@code expired}: past its expiry, every request refused;</li>
 * <li>{@code blocked}: the budget left (budget minus spend) is less than its smallest request
 *     reserves, so every request is refused ("needs $0.00062, $0.00011 left"); also a token that may
 *     use no model;</li>
 * <li>{@code rate_limited}: its rate limit would refuse a request now ("its limit of 60 a minute is
 *     reached; next in 12 s");</li>
 * <li>{@code nearly_spent}: {@value Monitor#BUDGET_ALERT_PERCENT}% or more of its budget spent;</li>
 * <li>{@code active}: none of these.</li>
 * </ol>
 * The smallest request is the smallest body the proxy forwards ({@code {"model": ...}}) with the
 * token's output cap ({@code max_tokens}), which is what a request that names no cap reserves. A
 * request asking for fewer output tokens reserves less, so a blocked token could still send one.
 *
 * @param needsNanoUsd what the smallest request reserves; {@link Long#MAX_VALUE} when it may use no model
 * @param leftNanoUsd its budget minus its spend (requests in flight hold reservations on top)
 */
public record TokenState(String name, String detail, long needsNanoUsd, long leftNanoUsd) {

    public static final String REVOKED = "revoked";
    public static final String EXPIRED = "expired";
    public static final String BLOCKED = "blocked";
    public static final String RATE_LIMITED = "rate_limited";
    public static final String NEARLY_SPENT = "nearly_spent";
    public static final String ACTIVE = "active";
    /** Every state, in order of precedence. */
    public static final List<String> ALL = List.of(REVOKED, EXPIRED, BLOCKED, RATE_LIMITED, NEARLY_SPENT, ACTIVE);

    /** What {@code Limits.reserve} adds to a body's size in bytes when it bounds the prompt's tokens. */
    static final int PROMPT_MARGIN_BYTES = 16;

    /**
     * The state of {@code token} with {@code budget} at {@code now}; {@code needsNanoUsd} is what its
     * smallest request reserves ({@link #leastRequest}), {@code nextRequest} what its rate limit would
     * answer now (asked only when the states before it do not hold).
     */
    public static TokenState of(ClientToken token, Store.Budget budget, long needsNanoUsd, Instant now,
                                Supplier<Store.Admission> nextRequest) {
        long left = budget.limitNanoUsd() - budget.spentNanoUsd();
        if (token.revoked()) {
            return new TokenState(REVOKED, "", needsNanoUsd, left);
        }
        if (token.expiredAt(now)) {
            return new TokenState(EXPIRED, "", needsNanoUsd, left);
        }
        if (needsNanoUsd == Long.MAX_VALUE) {
            return new TokenState(BLOCKED, token.models().isEmpty() ? "may use no model"
                    : "none of its models has a price", needsNanoUsd, left);
        }
        if (left < needsNanoUsd) {
            return new TokenState(BLOCKED, "needs " + usd(needsNanoUsd, RoundingMode.CEILING) + ", "
                    + usd(left, RoundingMode.FLOOR) + " left", needsNanoUsd, left);
        }
        Store.Admission admission = nextRequest.get();
        if (!admission.allowed()) {
            return new TokenState(RATE_LIMITED, "its limit of " + token.rpm() + " a minute is reached; next in "
                    + admission.retryAfterSeconds() + " s", needsNanoUsd, left);
        }
        long percent = budget.limitNanoUsd() == 0 ? 0
                : BigDecimal.valueOf(budget.spentNanoUsd()).multiply(BigDecimal.valueOf(100))
                        .divide(BigDecimal.valueOf(budget.limitNanoUsd()), 0, RoundingMode.FLOOR).longValue();
        if (percent >= Monitor.BUDGET_ALERT_PERCENT) {
            return new TokenState(NEARLY_SPENT, percent + "% of the budget spent", needsNanoUsd, left);
        }
        return new TokenState(ACTIVE, "", needsNanoUsd, left);
    }

    /**
     * What the smallest request of a token reserves, priced by {@code prices}: the cheapest of its
     * models, a body of only the model and the output cap, the token's {@code max_tokens} out.
     * Counted as {@code Limits.reserve} counts; a test holds the two together.
     */
    public static ToLongFunction<ClientToken> leastRequest(Prices prices) {
        return token -> token.models().stream().filter(prices::knows).mapToLong(model -> {
            byte[] body = Json.write(Json.object().put("model", model).put("max_output_tokens", token.maxTokens()))
                    .getBytes(StandardCharsets.UTF_8);
            return prices.cost(model, body.length + PROMPT_MARGIN_BYTES, token.maxTokens());
        }).min().orElse(Long.MAX_VALUE);
    }

    /** The rate-limit bucket {@code Limits.admit} takes a token's requests from. */
    static String rateBucket(ClientToken token) {
        return "token:" + token.id();
    }

    /**
     * An amount for people: cents from a dollar up, two significant digits below (so $0.00062 does
     * not read as $0.00), rounded the way that keeps a sentence true ("needs" up, "left" down).
     */
    static String usd(long nanoUsd, RoundingMode rounding) {
        BigDecimal usd = NanoUsd.toUsd(nanoUsd);
        if (usd.signum() == 0) {
            return "$0";
        }
        BigDecimal shown = usd.compareTo(BigDecimal.ONE) >= 0 ? usd.setScale(2, rounding)
                : usd.round(new MathContext(2, rounding)).stripTrailingZeros();
        return "$" + (shown.scale() < 2 ? shown.setScale(2) : shown).toPlainString();
    }
}
