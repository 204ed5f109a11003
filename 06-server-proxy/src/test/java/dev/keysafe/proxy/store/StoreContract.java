package dev.keysafe.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.proxy.ClientToken;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} promises, without HTTP in the way: run against each implementation
 * by a subclass that says how to get an empty store.
 */
abstract class StoreContract {

    /** An empty store for one test. */
    abstract Store store();

    /** Reserve-and-settle rounds per racing thread: enough to use the whole budget up. */
    abstract int racingRounds();

    /** An expiry no test reaches. */
    static final Instant LATER = Instant.now().plusSeconds(3_600).truncatedTo(ChronoUnit.MICROS);

    static ClientToken token(String id, long budget) {
        // Microseconds: what a database timestamp keeps.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return new ClientToken(id, "t", "hash-" + id, "....", Set.of("gpt-4o-mini"), budget, 60, 100, now,
                now.plusSeconds(60), false, "client");
    }

    @Test
    void racing_reservations_never_overdraw_the_budget() throws Exception {
        Store store = store();
        store.addToken(token("tok_race", 1_000_000));
        int threads = 16;
        AtomicLong granted = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> racers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread racer = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < racingRounds(); i++) {
                    String request = "req_" + thread + "_" + i;
                    if (store.reserve("tok_race", request, 3_000, LATER)) {
                        granted.incrementAndGet();
                        store.settle("tok_race", request, 1_000);
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
        Store store = store();
        store.addToken(token("tok_a", 10_000));

        assertThat(store.reserve("tok_a", "req_1", 4_000, LATER)).isTrue();
        assertThat(store.settle("tok_a", "req_1", 9_999)).as("still held").isTrue();

        assertThat(store.budget("tok_a").spentNanoUsd()).isEqualTo(4_000);
        assertThat(store.reserve("tok_a", "req_2", 6_001, LATER)).isFalse();
        assertThat(store.reserve("tok_a", "req_3", 6_000, LATER)).isTrue();
        assertThat(store.budget("tok_a")).isEqualTo(new Store.Budget(10_000, 4_000, 6_000));
        assertThat(store.reserve("tok_a", "req_4", -1, LATER)).as("a negative reservation").isFalse();
        assertThat(store.reserve("tok_unknown", "req_5", 1, LATER)).isFalse();
        assertThat(store.budget("tok_unknown")).isEqualTo(new Store.Budget(0, 0, 0));
    }

    @Test
    void a_lapsed_reservation_is_released_once_and_counted_and_a_live_or_extended_one_is_kept() {
        Store store = store();
        store.addToken(token("tok_lapse", 10_000));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        long releasedBefore = store.releasedReservations();
        assertThat(store.reserve("tok_lapse", "req_stuck", 3_000, now.minusSeconds(1))).isTrue();
        assertThat(store.reserve("tok_lapse", "req_live", 2_000, now.plusSeconds(60))).isTrue();
        assertThat(store.reserve("tok_lapse", "req_streaming", 1_000, now.minusSeconds(1))).isTrue();
        store.extend("tok_lapse", "req_streaming", now.plusSeconds(60));

        List<Store.Reservation> released = store.releaseExpired(now, 100);

        assertThat(released).containsExactly(new Store.Reservation("tok_lapse", "req_stuck", 3_000, now.minusSeconds(1)));
        assertThat(store.budget("tok_lapse")).isEqualTo(new Store.Budget(10_000, 0, 3_000));
        assertThat(store.releaseExpired(now, 100)).as("released once").isEmpty();
        assertThat(store.releasedReservations()).isEqualTo(releasedBefore + 1);
        assertThat(store.settle("tok_lapse", "req_live", 1_500)).isTrue();
        assertThat(store.budget("tok_lapse")).isEqualTo(new Store.Budget(10_000, 1_500, 1_000));
    }

    @Test
    void a_request_that_settles_after_its_reservation_was_released_is_charged_only_within_what_is_left() {
        Store store = store();
        store.addToken(token("tok_late", 10_000));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        assertThat(store.reserve("tok_late", "req_slow", 6_000, now.minusSeconds(1))).isTrue();
        assertThat(store.releaseExpired(now, 100)).hasSize(1);
        // Its room went to another request meanwhile.
        assertThat(store.reserve("tok_late", "req_next", 8_000, LATER)).isTrue();

        assertThat(store.settle("tok_late", "req_slow", 6_000)).as("no longer held").isFalse();

        assertThat(store.budget("tok_late")).isEqualTo(new Store.Budget(10_000, 2_000, 8_000));
        assertThat(store.budget("tok_late").leftNanoUsd()).as("never over the budget").isZero();
    }

    @Test
    void old_ledger_and_audit_rows_are_deleted_a_batch_at_a_time_and_recent_ones_kept() {
        Store store = store();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        for (int i = 5; i >= 1; i--) {
            store.record(new Store.LedgerEntry("tok_old", now.minus(Duration.ofDays(100 + i)), "/v1/chat/completions",
                    "gpt-4o-mini", 200, 1, 1, 1));
            store.audit(new Store.AuditEvent(now.minus(Duration.ofDays(400 + i)), "token.create", "tok_" + i, "",
                    "", "127.0.0.1"));
        }
        Store.LedgerEntry recent = new Store.LedgerEntry("tok_new", now, "/v1/chat/completions", "gpt-4o-mini",
                200, 2, 2, 2);
        Store.AuditEvent recentEvent = new Store.AuditEvent(now, "token.revoke", "tok_1", "", "", "127.0.0.1");
        store.record(recent);
        store.audit(recentEvent);

        assertThat(store.deleteLedgerBefore(now.minus(Duration.ofDays(90)), 3)).isEqualTo(3);
        assertThat(store.deleteLedgerBefore(now.minus(Duration.ofDays(90)), 3)).isEqualTo(2);
        assertThat(store.deleteLedgerBefore(now.minus(Duration.ofDays(90)), 3)).isZero();
        assertThat(store.deleteAuditBefore(now.minus(Duration.ofDays(365)), 10)).isEqualTo(5);

        assertThat(store.recentEntries(10)).containsExactly(recent);
        assertThat(store.auditLog(10)).containsExactly(recentEvent);
    }

    @Test
    void rate_limit_admits_the_rpm_then_says_how_long_to_wait() {
        Store store = store();

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
        Store store = store();
        store.addToken(token("tok_r", 1));

        assertThat(store.revoke("tok_r")).isTrue();
        assertThat(store.revoke("tok_none")).isFalse();
        assertThat(store.tokenByHash("hash-tok_r")).hasValueSatisfying(t -> assertThat(t.revoked()).isTrue());
        assertThat(store.token("tok_r")).hasValueSatisfying(t -> assertThat(t.revoked()).isTrue());
    }

    @Test
    void a_token_is_found_by_its_hash_and_its_id_and_listed_oldest_first() {
        Store store = store();
        ClientToken first = token("tok_1", 5);
        ClientToken second = new ClientToken("tok_2", "second", "hash-tok_2", "...wxyz", Set.of("gpt-4o", "gpt-4o-mini"),
                7, 30, 512, first.createdAt().plusSeconds(1), first.expiresAt(), false, "session");
        store.addToken(second);
        store.addToken(first);

        assertThat(store.tokenByHash("hash-tok_2")).contains(second);
        assertThat(store.token("tok_1")).contains(first);
        assertThat(store.tokenByHash("hash-nobody")).isEmpty();
        assertThat(store.token("tok_nobody")).isEmpty();
        assertThat(store.tokens()).containsExactly(first, second);
        assertThat(store.budget("tok_2")).isEqualTo(new Store.Budget(7, 0, 0));
    }

    @Test
    void the_ledger_sums_per_token_and_lists_the_latest_entries_oldest_first() {
        Store store = store();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Store.LedgerEntry one = new Store.LedgerEntry("tok_l", at, "/v1/chat/completions", "gpt-4o-mini", 200, 12, 9, 7_200);
        Store.LedgerEntry two = new Store.LedgerEntry("tok_other", at.plusSeconds(1), "/v1/responses", "gpt-4o", 502, 0, 0, 0);
        Store.LedgerEntry three = new Store.LedgerEntry("tok_l", at.plusSeconds(2), "/v1/chat/completions", "gpt-4o-mini", 200, 10, 5, 4_500);
        store.record(one);
        store.record(two);
        store.record(three);

        assertThat(store.usage("tok_l")).isEqualTo(new Store.Usage(2, 22, 14, 11_700, three.at()));
        assertThat(store.usage("tok_nobody")).isEqualTo(Store.Usage.NONE);
        assertThat(store.recentEntries(2)).containsExactly(two, three);
        assertThat(store.recentEntries(10)).containsExactly(one, two, three);
    }

    @Test
    void the_audit_log_lists_the_latest_events_oldest_first() {
        Store store = store();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<Store.AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Store.AuditEvent event = new Store.AuditEvent(at.plusSeconds(i), "token.create", "tok_" + i, "...abc" + i,
                    "name=n" + i, "127.0.0.1");
            events.add(event);
            store.audit(event);
        }

        assertThat(store.auditLog(3)).containsExactlyElementsOf(events.subList(2, 5));
        assertThat(store.auditLog(100)).containsExactlyElementsOf(events);
        assertThat(store.reachable()).isTrue();
    }

    @Test
    void peeking_at_a_rate_limit_says_what_admit_would_answer_and_takes_nothing() {
        Store store = store();

        assertThat(store.peek("token:p", 2).allowed()).as("a bucket never used").isTrue();
        assertThat(store.admit("token:p", 2).allowed()).isTrue();
        assertThat(store.peek("token:p", 2).allowed()).isTrue();
        assertThat(store.peek("token:p", 2).allowed()).as("peeking took nothing").isTrue();
        assertThat(store.admit("token:p", 2).allowed()).isTrue();
        Store.Admission peeked = store.peek("token:p", 2);

        assertThat(peeked.allowed()).isFalse();
        assertThat(peeked.retryAfter().toMillis()).isBetween(1L, 60_000L);
        assertThat(store.admit("token:p", 2).allowed()).isFalse();
        assertThat(store.peek("token:q", 2).allowed()).as("another bucket").isTrue();
    }

    @Test
    void requests_since_a_moment_count_every_tokens_ledger_entries_at_or_after_it() {
        Store store = store();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        for (int minutesAgo : new int[] {90, 61, 60, 59, 1, 0}) {
            store.record(new Store.LedgerEntry(minutesAgo % 2 == 0 ? "tok_a" : "tok_b", at.minusSeconds(60L * minutesAgo),
                    "/v1/chat/completions", "gpt-4o-mini", 200, 1, 1, 1));
        }

        assertThat(store.requestsSince(at.minusSeconds(3_600))).isEqualTo(4);
        assertThat(store.requestsSince(at.plusSeconds(1))).isZero();
        assertThat(store.requestsSince(at.minusSeconds(86_400))).isEqualTo(6);
    }
}
