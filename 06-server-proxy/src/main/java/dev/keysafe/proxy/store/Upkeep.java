package dev.keysafe.proxy.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's upkeep, run in the background (every half minute in the full server) and never on a
 * request's path: it releases reservations that have lapsed, whose request cannot still be running
 * (one in flight when the database dropped could not settle), and deletes ledger and audit rows
 * past their retention in batches of {@value #BATCH}, each its own short statement, so no delete
 * holds a lock long enough to slow a request. Every instance may run it: each row goes once.
 */
public final class Upkeep implements Runnable {

    /** Rows per statement. */
    static final int BATCH = 1_000;
    /** Statements per table per run: a long backlog (a first run over years of rows) drains over several runs. */
    static final int MAX_BATCHES = 50;

    private static final Logger LOG = LoggerFactory.getLogger(Upkeep.class);

    private final Store store;
    private final Clock clock;
    private final Duration ledgerRetention;
    private final Duration auditRetention;

    public Upkeep(Store store, Clock clock, Duration ledgerRetention, Duration auditRetention) {
        this.store = store;
        this.clock = clock;
        this.ledgerRetention = ledgerRetention;
        this.auditRetention = auditRetention;
    }

    @Override
    public void run() {
        releaseLapsedReservations();
        Instant now = clock.instant();
        said("ledger", ledgerRetention, inBatches(() -> store.deleteLedgerBefore(now.minus(ledgerRetention), BATCH)));
        said("audit", auditRetention, inBatches(() -> store.deleteAuditBefore(now.minus(auditRetention), BATCH)));
        // The spike monitor's counts older than it looks back (a database's: memory's ring forgets by itself).
        long oldestKept = now.toEpochMilli() / 60_000 - MinuteCounts.KEPT_MINUTES;
        inBatches(() -> store.minuteCounts().deleteBefore(oldestKept, BATCH));
    }

    /** Releases every reservation whose expiry has passed; one line says which, by request and token id. */
    public void releaseLapsedReservations() {
        Instant now = clock.instant();
        for (int round = 0; round < MAX_BATCHES; round++) {
            List<Store.Reservation> released = store.releaseExpired(now, BATCH);
            if (released.isEmpty()) {
                return;
            }
            LOG.warn("store: released {} lapsed reservation(s), ${} in all, of requests that never settled: {}",
                    released.size(), NanoUsd.toUsd(released.stream().mapToLong(Store.Reservation::nanoUsd).sum())
                            .toPlainString(), released.stream().limit(20).map(r -> r.requestId() + " (" + r.tokenId()
                            + ")").collect(Collectors.joining(", ")) + (released.size() > 20 ? ", ..." : ""));
            if (released.size() < BATCH) {
                return;
            }
        }
    }

    /** Runs {@code batch} until it deletes fewer than {@link #BATCH} rows, at most {@link #MAX_BATCHES} times; how many. */
    private static long inBatches(IntSupplier batch) {
        long deleted = 0;
        for (int round = 0; round < MAX_BATCHES; round++) {
            int rows = batch.getAsInt();
            deleted += rows;
            if (rows < BATCH) {
                break;
            }
        }
        return deleted;
    }

    private static void said(String what, Duration retention, long deleted) {
        if (deleted > 0) {
            LOG.info("store: deleted {} {} row(s) older than {} days", deleted, what, retention.toDays());
        }
    }
}
