package dev.keysafe.proxy.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The spike monitor's counts in this process: a ring of the last {@link #KEPT_MINUTES} minutes per
 * token, under the token's own lock. One instance sees only its own traffic.
 */
final class InMemoryMinuteCounts implements MinuteCounts {

    private final Map<String, Minutes> perToken = new ConcurrentHashMap<>();

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

    @Override
    public Tally add(String tokenId, long minute, int lookBack) {
        Minutes minutes = perToken.computeIfAbsent(tokenId, id -> new Minutes());
        synchronized (minutes) {
            minutes.advance(minute);
            if (minutes.firstMinute < 0) {
                minutes.firstMinute = minute;
            }
            long now = ++minutes.counts[(int) (minute % KEPT_MINUTES)];
            long before = 0;
            for (int back = 1; back <= lookBack; back++) {
                before += minutes.counts[(int) ((minute - back) % KEPT_MINUTES)];
            }
            return new Tally(now, before, minutes.firstMinute);
        }
    }

    @Override
    public boolean claimAlert(String tokenId, long minute) {
        Minutes minutes = perToken.get(tokenId);
        if (minutes == null) {
            return false;
        }
        synchronized (minutes) {
            if (minutes.alertedMinute == minute) {
                return false;
            }
            minutes.alertedMinute = minute;
            return true;
        }
    }

    @Override
    public List<Long> series(String tokenId, long from, long to) {
        List<Long> series = new ArrayList<>();
        Minutes minutes = perToken.get(tokenId);
        if (minutes == null) {
            for (long m = from; m <= to; m++) {
                series.add(0L);
            }
            return series;
        }
        synchronized (minutes) {
            minutes.advance(to);
            for (long m = from; m <= to; m++) {
                series.add(to - m < KEPT_MINUTES ? minutes.counts[(int) (m % KEPT_MINUTES)] : 0L);
            }
        }
        return series;
    }

    /** The ring forgets by itself. */
    @Override
    public int deleteBefore(long minute, int batch) {
        return 0;
    }
}
