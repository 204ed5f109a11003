package dev.keysafe.proxy.monitor;

import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.store.MinuteCounts;
import dev.keysafe.proxy.store.NanoUsd;
import dev.keysafe.proxy.store.Store;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * Watches how each token is used: counts its requests per minute for the dashboard, and raises an
 * alert when a token's rate jumps well above its own recent baseline (a leaked token being
 * abused looks like this) or when it nears its budget.
 *
 * <p>The rule: a spike is a minute with at least {@link #SPIKE_MIN_REQUESTS} requests and more
 * than {@link #SPIKE_FACTOR} times the average of the {@link #BASELINE_MINUTES} minutes before it,
 * for a token seen for at least that long (a brand-new token has no baseline yet; its rate limit
 * and budget still hold). One alert per token per minute; one budget alert per token, at 80% spent or
 * when what is left cannot cover one more request, whichever comes first. The counts live in the
 * store's {@link MinuteCounts}: with a shared database they are the fleet's, so a spike is seen in
 * all of a token's traffic and alerted by one instance.
 */
public final class Monitor {

    public static final int SPIKE_MIN_REQUESTS = 30;
    public static final int SPIKE_FACTOR = 4;
    public static final int BASELINE_MINUTES = 10;
    /** Share of the budget spent at which the budget alert fires, in percent. */
    public static final int BUDGET_ALERT_PERCENT = 80;
    /** Minutes of history kept per token, for the baseline and the dashboard's chart. */
    public static final int KEPT_MINUTES = MinuteCounts.KEPT_MINUTES;

    private final Clock clock;
    private final Alerts alerts;
    private final MinuteCounts counts;
    private final Map<String, Boolean> budgetAlerted = new ConcurrentHashMap<>();
    private volatile ToLongFunction<ClientToken> leastRequest = token -> 0;

    /** A monitor that counts in this process's memory. */
    public Monitor(Clock clock, Alerts alerts) {
        this(clock, alerts, MinuteCounts.inMemory());
    }

    /** A monitor that counts in {@code counts}: the store's, shared by every instance when it is a database. */
    public Monitor(Clock clock, Alerts alerts, MinuteCounts counts) {
        this.clock = clock;
        this.alerts = alerts;
        this.counts = counts;
    }

    /** Counts one request of {@code token}; alerts when it makes the current minute a spike. */
    public void requestArrived(ClientToken token) {
        long minute = clock.millis() / 60_000;
        MinuteCounts.Tally tally = counts.add(token.id(), minute, BASELINE_MINUTES);
        double baseline = tally.before() / (double) BASELINE_MINUTES;
        boolean hasBaseline = minute - tally.firstMinute() >= BASELINE_MINUTES;
        if (!hasBaseline || tally.thisMinute() < SPIKE_MIN_REQUESTS || tally.thisMinute() <= SPIKE_FACTOR * baseline
                || !counts.claimAlert(token.id(), minute)) {
            return;
        }
        alerts.raise("request_spike", Map.of("token", token.id(), "name", token.name(),
                "fingerprint", token.fingerprint(), "requests_this_minute", tally.thisMinute(),
                "baseline_per_minute", Math.round(baseline * 10) / 10.0));
    }

    /**
     * Checks a token's spend after a request settled; alerts once when it nears the budget: at
     * {@link #BUDGET_ALERT_PERCENT}% spent, or sooner when what is left cannot cover its smallest
     * request (see {@link #alertWhenLeftCannotCover}), which the proxy would refuse from now on.
     */
    public void settled(ClientToken token, Store.Budget budget) {
        long left = budget.limitNanoUsd() - budget.spentNanoUsd();
        long needs = leastRequest.applyAsLong(token);
        boolean nearlySpent = budget.spentNanoUsd() * 100 >= budget.limitNanoUsd() * BUDGET_ALERT_PERCENT;
        if (budget.limitNanoUsd() <= 0 || !(nearlySpent || left < needs)
                || budgetAlerted.putIfAbsent(token.id(), Boolean.TRUE) != null) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("token", token.id());
        fields.put("name", token.name());
        fields.put("fingerprint", token.fingerprint());
        fields.put("spent_usd", NanoUsd.toUsd(budget.spentNanoUsd()));
        fields.put("budget_usd", NanoUsd.toUsd(budget.limitNanoUsd()));
        fields.put("left_usd", NanoUsd.toUsd(left));
        if (needs > 0) {
            fields.put("needs_usd", NanoUsd.toUsd(needs));
        }
        fields.put("reason", left < needs ? "cannot_cover_a_request" : "spent_" + BUDGET_ALERT_PERCENT + "_percent");
        alerts.raise("budget_nearly_spent", fields);
    }

    /**
     * Makes the budget alert also fire when a token's budget left (spent subtracted, requests in flight
     * not) is less than {@code leastRequestNanoUsd} says its smallest request reserves. Without it the
     * alert fires at {@link #BUDGET_ALERT_PERCENT}% only.
     */
    public void alertWhenLeftCannotCover(ToLongFunction<ClientToken> leastRequestNanoUsd) {
        this.leastRequest = leastRequestNanoUsd;
    }

    /** Where this monitor raises its alerts; the dashboard reads the recent ones there. */
    public Alerts alerts() {
        return alerts;
    }

    /** Requests per minute of {@code tokenId} for the last {@link #KEPT_MINUTES} minutes, oldest first. */
    public List<Long> perMinute(String tokenId) {
        long minute = clock.millis() / 60_000;
        return counts.series(tokenId, minute - KEPT_MINUTES + 1, minute);
    }
}
