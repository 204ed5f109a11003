package dev.keysafe.proxy.store;

import java.util.List;

/**
 * Requests per token per minute, as the spike monitor counts them: in this process
 * ({@link InMemoryMinuteCounts}), or in the database every instance shares, so that a spike is seen
 * in the fleet's traffic and alerted once, not once per instance at N times the traffic.
 */
public interface MinuteCounts {

    /** Minutes of counts kept per token: for the baseline, and the dashboard's chart. */
    int KEPT_MINUTES = 30;

    /**
     * What one request's count says: the token's requests in this minute so far, the sum over the minutes
     * before it that were asked for, and the first minute the token was seen in (within the minutes kept).
     */
    record Tally(long thisMinute, long before, long firstMinute) {
    }

    /** Counts one request of {@code tokenId} in {@code minute}; {@code before} sums the {@code lookBack} minutes before. */
    Tally add(String tokenId, long minute, int lookBack);

    /** True for exactly one caller per token and minute, on every instance together: the one that alerts. */
    boolean claimAlert(String tokenId, long minute);

    /** The counts of minutes {@code from} to {@code to}, oldest first, 0 for a minute without requests. */
    List<Long> series(String tokenId, long from, long to);

    /** Forgets up to {@code batch} counts of minutes before {@code minute}; how many (the store's upkeep). */
    int deleteBefore(long minute, int batch);

    /** Counts in this process's memory. */
    static MinuteCounts inMemory() {
        return new InMemoryMinuteCounts();
    }
}
