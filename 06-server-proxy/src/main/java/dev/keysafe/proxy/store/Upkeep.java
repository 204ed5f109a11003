package dev.keysafe.proxy.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    /** A delete of up to {@code batch} rows older than {@code cutoff}; how many went. */
    @FunctionalInterface
    private interface Deletion {
        int delete(Instant cutoff, int batch);
    }

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
        deleteOld("ledger", ledgerRetention, store::deleteLedgerBefore);
        deleteOld("audit", auditRetention, store::deleteAuditBefore);
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

    private void deleteOld(String what, Duration retention, Deletion deletion) {
        Instant cutoff = clock.instant().minus(retention);
        long deleted = 0;
        for (int round = 0; round < MAX_BATCHES; round++) {
            int batch = deletion.delete(cutoff, BATCH);
            deleted += batch;
            if (batch < BATCH) {
                break;
            }
        }
        if (deleted > 0) {
            LOG.info("store: deleted {} {} row(s) older than {} days", deleted, what, retention.toDays());
        }
    }
}
