package dev.keysafe.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The in-memory store's guarantees, without HTTP in the way. */
class InMemoryStoreTest {

    static ClientToken token(String id, long budget) {
        Instant now = Instant.now();
        return new ClientToken(id, "t", "hash-" + id, "....", Set.of("gpt-4o-mini"), budget, 60, 100, now,
                now.plusSeconds(60), false, "client");
    }

    @Test
    void racing_reservations_never_overdraw_the_budget() throws Exception {
        InMemoryStore store = new InMemoryStore();
        store.addToken(token("tok_race", 1_000_000));
        int threads = 16;
        AtomicLong granted = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> racers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread racer = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 5_000; i++) {
                    if (store.reserve("tok_race", 3_000)) {
                        granted.incrementAndGet();
                        store.settle("tok_race", 3_000, 1_000);
                    }
                }
            });
            racer.start();
            racers.add(racer);
        }
        go.countDown();
        for (Thread racer : racers) {
            racer.join();
        }

        Store.Budget budget = store.budget("tok_race");
        assertThat(budget.reservedNanoUsd()).isZero();
        assertThat(budget.spentNanoUsd()).isLessThanOrEqualTo(1_000_000).isEqualTo(granted.get() * 1_000);
        // The last grants fit exactly: spend can go no further than a reservation allows.
        assertThat(budget.leftNanoUsd()).isLessThan(3_000);
    }

    @Test
    void settling_never_charges_more_than_was_reserved() {
        InMemoryStore store = new InMemoryStore();
        store.addToken(token("tok_a", 10_000));

        assertThat(store.reserve("tok_a", 4_000)).isTrue();
        store.settle("tok_a", 4_000, 9_999);

        assertThat(store.budget("tok_a").spentNanoUsd()).isEqualTo(4_000);
        assertThat(store.reserve("tok_a", 6_001)).isFalse();
        assertThat(store.reserve("tok_a", 6_000)).isTrue();
        assertThat(store.reserve("tok_unknown", 1)).isFalse();
    }

    @Test
    void rate_limit_admits_the_rpm_then_says_how_long_to_wait() {
        InMemoryStore store = new InMemoryStore();

        for (int i = 0; i < 3; i++) {
            assertThat(store.admit("token:x", 3).allowed()).isTrue();
        }
        Store.Admission refused = store.admit("token:x", 3);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfter().toMillis()).isBetween(1L, 20_000L);
        assertThat(store.admit("token:y", 3).allowed()).as("another token has its own bucket").isTrue();
    }

    @Test
    void revoking_keeps_the_record_and_marks_it() {
        InMemoryStore store = new InMemoryStore();
        store.addToken(token("tok_r", 1));

        assertThat(store.revoke("tok_r")).isTrue();
        assertThat(store.revoke("tok_none")).isFalse();
        assertThat(store.tokenByHash("hash-tok_r")).hasValueSatisfying(t -> assertThat(t.revoked()).isTrue());
    }
}
