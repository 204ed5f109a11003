package dev.keysafe.proxy.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.keysafe.proxy.store.Store.Admission;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rate limits every instance shares: Bucket4j buckets in the table {@code rate_buckets}, one
 * row per token and limit, locked row by row ({@code SELECT ... FOR UPDATE}) while a request is taken.
 */
final class PostgresBuckets {

    /** Idle buckets are deleted in batches this size, every this many admissions. */
    private static final int CLEANUP_BATCH = 100;
    private static final int CLEANUP_EVERY = 1_000;

    private final Sql sql;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;
    private final AtomicLong admissions = new AtomicLong();

    PostgresBuckets(HikariDataSource pool, Sql sql) {
        this.sql = sql;
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(pool)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_buckets")
                // A bucket unused for a minute is full again: its row can go.
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ZERO))
                .build();
    }

    /** Takes one request from {@code key}'s bucket of {@code perMinute}, when it has one. */
    Admission admit(String key, int perMinute) {
        BucketConfiguration limit = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                .build();
        ConsumptionProbe probe = sql.around(() -> {
            ConsumptionProbe taken = buckets.builder().build(key + "@" + perMinute, () -> limit)
                    .tryConsumeAndReturnRemaining(1);
            if (admissions.incrementAndGet() % CLEANUP_EVERY == 0) {
                buckets.removeExpired(CLEANUP_BATCH);
            }
            return taken;
        });
        return probe.isConsumed() ? Admission.ALLOWED
                : new Admission(false, Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** What {@link #admit} would answer now, taking nothing. */
    Admission peek(String key, int perMinute) {
        EstimationProbe probe = sql.around(() -> {
            // No row: never used, or expired full. The bucket is built from its stored settings only
            // when it exists, since building one for a missing row would write it.
            Optional<BucketConfiguration> stored = buckets.getProxyConfiguration(key + "@" + perMinute);
            return stored.isEmpty() ? EstimationProbe.canBeConsumed(perMinute)
                    : buckets.builder().build(key + "@" + perMinute, stored::get).estimateAbilityToConsume(1);
        });
        return probe.canBeConsumed() ? Admission.ALLOWED
                : new Admission(false, Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }
}
