package dev.keysafe.workshop.room;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The room's rate limits, one Bucket4j bucket per key and kind: joins per address (slows anyone
 * guessing the join code), events per participant (a kit sends a handful an hour; a loop sending
 * thousands is cut off), events and admin calls per address (covers forged tokens too).
 */
final class RoomLimits {

    /** One kind of limit: how many a minute, for whom. */
    enum Kind {
        JOIN(20), EVENT_PER_PARTICIPANT(30), EVENT_PER_ADDRESS(600), ADMIN(30);

        final int perMinute;

        Kind(int perMinute) {
            this.perMinute = perMinute;
        }
    }

    /** Past this many buckets all are forgotten (a full bucket refills within a minute anyway), so the limits cannot grow without bound. */
    private static final int MAX_BUCKETS = 10_000;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Seconds to wait before trying again, or 0 when {@code who} may go ahead now. */
    long retryAfterSeconds(Kind kind, String who) {
        if (buckets.size() > MAX_BUCKETS) {
            buckets.clear();
        }
        Bucket bucket = buckets.computeIfAbsent(kind + ":" + who, k -> Bucket.builder()
                .addLimit(limit -> limit.capacity(kind.perMinute).refillGreedy(kind.perMinute, Duration.ofMinutes(1)))
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? 0 : Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds());
    }
}
