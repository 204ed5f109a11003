package dev.keysafe.proxy.monitor;

import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.store.NanoUsd;
import dev.keysafe.proxy.store.Store;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
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
 * when what is left cannot cover one more request, whichever comes first.
 */
public final class Monitor {

    public static final int SPIKE_MIN_REQUESTS = 30;
    public static final int SPIKE_FACTOR = 4;
    public static final int BASELINE_MINUTES = 10;
    /** Share of the budget spent at which the budget alert fires, in percent. */
    public static final int BUDGET_ALERT_PERCENT = 80;
    /** Minutes of history kept per token, for the baseline and the dashboard's chart. */
    public static final int KEPT_MINUTES = 30;

    private final Clock clock;
    private final Alerts alerts;
    private final Map<String, Minutes> perToken = new ConcurrentHashMap<>();
    private final Map<String, Boolean> budgetAlerted = new ConcurrentHashMap<>();
    private volatile ToLongFunction<ClientToken> leastRequest = token -> 0;

    public Monitor(Clock clock, Alerts alerts) {
        this.clock = clock;
        this.alerts = alerts;
    }

    /** Request counts of one token for its last {@link #KEPT_MINUTES} minutes, in a ring. */
    private static final class Minutes {
        private final long[] counts = new long[KEPT_MINUTES];
        private long currentMinute = -1;
        private long alertedMinute = -1;
        private long firstMinute = -1;

        /** Moves the ring forward to {@code minute}, zeroing the minutes that passed without requests. */
        void advance(long minute) {
            if (currentMinute < 0 || minute - currentMinute >= KEPT_MINUTES) {
                Arrays.fill(counts, 0);
            } else {
                for (long m = currentMinute + 1; m <= minute; m++) {
                    counts[(int) (m % KEPT_MINUTES)] = 0;
                }
            }
            currentMinute = Math.max(currentMinute, minute);
        }
    }

    /** Counts one request of {@code token}; alerts when it makes the current minute a spike. */
    public void requestArrived(ClientToken token) {
        long minute = clock.millis() / 60_000;
        Minutes minutes = perToken.computeIfAbsent(token.id(), id -> new Minutes());
        long now;
        double baseline;
        synchronized (minutes) {
            minutes.advance(minute);
            if (minutes.firstMinute < 0) {
                minutes.firstMinute = minute;
            }
            now = ++minutes.counts[(int) (minute % KEPT_MINUTES)];
            long sum = 0;
            for (int back = 1; back <= BASELINE_MINUTES; back++) {
                sum += minutes.counts[(int) ((minute - back) % KEPT_MINUTES)];
            }
            baseline = sum / (double) BASELINE_MINUTES;
            boolean hasBaseline = minute - minutes.firstMinute >= BASELINE_MINUTES;
            if (!hasBaseline || now < SPIKE_MIN_REQUESTS || now <= SPIKE_FACTOR * baseline
                    || minutes.alertedMinute == minute) {
                return;
            }
            minutes.alertedMinute = minute;
        }
        alerts.raise("request_spike", Map.of("token", token.id(), "name", token.name(),
                "fingerprint", token.fingerprint(), "requests_this_minute", now,
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
        List<Long> series = new ArrayList<>(KEPT_MINUTES);
        Minutes minutes = perToken.get(tokenId);
        if (minutes == null) {
            for (int i = 0; i < KEPT_MINUTES; i++) {
                series.add(0L);
            }
            return series;
        }
        synchronized (minutes) {
            minutes.advance(minute);
            for (long m = minute - KEPT_MINUTES + 1; m <= minute; m++) {
                series.add(minutes.counts[(int) (m % KEPT_MINUTES)]);
            }
        }
        return series;
    }
}
