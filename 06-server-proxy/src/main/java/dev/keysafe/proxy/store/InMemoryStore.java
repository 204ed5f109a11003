package dev.keysafe.proxy.store;

import dev.keysafe.proxy.ClientToken;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The {@link Store} for one proxy instance: everything in this process's memory, nothing to
 * install, all gone on restart. Budgets are guarded by a lock per token; rate limits are Bucket4j
 * buckets in memory. Run several instances and each would have its own budget: share a database
 * instead.
 */
public final class InMemoryStore implements Store {

    private static final int KEPT_RECORDS = 10_000;

    private final Map<String, ClientToken> byId = new ConcurrentHashMap<>();
    private final Map<String, String> idByHash = new ConcurrentHashMap<>();
    private final Map<String, BudgetState> budgets = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Usage> usage = new ConcurrentHashMap<>();
    private final Deque<LedgerEntry> entries = new ArrayDeque<>();
    private final Deque<AuditEvent> audit = new ArrayDeque<>();
    private final AtomicLong releasedReservations = new AtomicLong();
    private final MinuteCounts minuteCounts = MinuteCounts.inMemory();

    /** Spend and reservations of one token; its monitor is the lock that makes reserve atomic. */
    private static final class BudgetState {
        private final long limit;
        private final Map<String, Reservation> held = new HashMap<>();
        private long spent;
        private long reserved;

        BudgetState(long limit) {
            this.limit = limit;
        }
    }

    @Override
    public void addToken(ClientToken token) {
        budgets.put(token.id(), new BudgetState(token.budgetNanoUsd()));
        byId.put(token.id(), token);
        idByHash.put(token.hash(), token.id());
    }

    @Override
    public Optional<ClientToken> tokenByHash(String hash) {
        return Optional.ofNullable(idByHash.get(hash)).map(byId::get);
    }

    @Override
    public Optional<ClientToken> token(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public List<ClientToken> tokens() {
        List<ClientToken> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(ClientToken::createdAt).thenComparing(ClientToken::id));
        return all;
    }

    @Override
    public boolean revoke(String id) {
        return byId.computeIfPresent(id, (key, t) -> new ClientToken(t.id(), t.name(), t.hash(), t.fingerprint(),
                t.models(), t.budgetNanoUsd(), t.rpm(), t.maxTokens(), t.createdAt(), t.expiresAt(), true, t.kind())) != null;
    }

    @Override
    public boolean reserve(String tokenId, String requestId, long nanoUsd, Instant expiresAt) {
        BudgetState state = budgets.get(tokenId);
        if (state == null || nanoUsd < 0) {
            return false;
        }
        synchronized (state) {
            if (state.spent + state.reserved + nanoUsd > state.limit || state.held.containsKey(requestId)) {
                return false;
            }
            state.reserved += nanoUsd;
            state.held.put(requestId, new Reservation(tokenId, requestId, nanoUsd, expiresAt));
            return true;
        }
    }

    @Override
    public void extend(String tokenId, String requestId, Instant expiresAt) {
        BudgetState state = budgets.get(tokenId);
        if (state != null) {
            synchronized (state) {
                state.held.computeIfPresent(requestId, (id, held) -> new Reservation(tokenId, id, held.nanoUsd(),
                        expiresAt));
            }
        }
    }

    @Override
    public boolean settle(String tokenId, String requestId, long chargedNanoUsd) {
        BudgetState state = budgets.get(tokenId);
        if (state == null) {
            return false;
        }
        long charged = Math.max(chargedNanoUsd, 0);
        synchronized (state) {
            Reservation held = state.held.remove(requestId);
            if (held == null) {
                state.spent += Math.min(charged, Math.max(0, state.limit - state.spent - state.reserved));
                return false;
            }
            state.reserved -= held.nanoUsd();
            state.spent += Math.min(charged, held.nanoUsd());
            return true;
        }
    }

    @Override
    public List<Reservation> releaseExpired(Instant now, int limit) {
        List<Reservation> released = new ArrayList<>();
        for (BudgetState state : budgets.values()) {
            synchronized (state) {
                for (Iterator<Reservation> held = state.held.values().iterator(); held.hasNext()
                        && released.size() < limit; ) {
                    Reservation reservation = held.next();
                    if (reservation.expiresAt().isBefore(now)) {
                        held.remove();
                        state.reserved -= reservation.nanoUsd();
                        released.add(reservation);
                    }
                }
            }
        }
        releasedReservations.addAndGet(released.size());
        return released;
    }

    @Override
    public long releasedReservations() {
        return releasedReservations.get();
    }

    @Override
    public Budget budget(String tokenId) {
        BudgetState state = budgets.get(tokenId);
        if (state == null) {
            return new Budget(0, 0, 0);
        }
        synchronized (state) {
            return new Budget(state.limit, state.spent, state.reserved);
        }
    }

    @Override
    public Admission admit(String key, int perMinute) {
        Bucket bucket = buckets.computeIfAbsent(key + "@" + perMinute, k -> Bucket.builder()
                .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Admission.ALLOWED
                : new Admission(false, Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    @Override
    public MinuteCounts minuteCounts() {
        return minuteCounts;
    }

    @Override
    public void record(LedgerEntry entry) {
        usage.merge(entry.tokenId(), Usage.NONE.plus(entry), (old, added) -> old.plus(entry));
        synchronized (entries) {
            entries.addLast(entry);
            if (entries.size() > KEPT_RECORDS) {
                entries.removeFirst();
            }
        }
    }

    @Override
    public Usage usage(String tokenId) {
        return usage.getOrDefault(tokenId, Usage.NONE);
    }

    @Override
    public List<LedgerEntry> recentEntries(int limit) {
        synchronized (entries) {
            List<LedgerEntry> all = new ArrayList<>(entries);
            return all.subList(Math.max(0, all.size() - limit), all.size());
        }
    }

    @Override
    public void audit(AuditEvent event) {
        synchronized (audit) {
            audit.addLast(event);
            if (audit.size() > KEPT_RECORDS) {
                audit.removeFirst();
            }
        }
    }

    @Override
    public int deleteLedgerBefore(Instant cutoff, int batch) {
        // The per-token sums stay: in memory they cover the process's life, as the budgets do.
        return deleteBefore(entries, LedgerEntry::at, cutoff, batch);
    }

    @Override
    public int deleteAuditBefore(Instant cutoff, int batch) {
        return deleteBefore(audit, AuditEvent::at, cutoff, batch);
    }

    /** Kept in the order they came, so the old ones are at the head. */
    private static <T> int deleteBefore(Deque<T> kept, Function<T, Instant> at, Instant cutoff, int batch) {
        synchronized (kept) {
            int deleted = 0;
            while (deleted < batch && !kept.isEmpty() && at.apply(kept.peekFirst()).isBefore(cutoff)) {
                kept.removeFirst();
                deleted++;
            }
            return deleted;
        }
    }

    @Override
    public List<AuditEvent> auditLog(int limit) {
        synchronized (audit) {
            List<AuditEvent> all = new ArrayList<>(audit);
            return all.subList(Math.max(0, all.size() - limit), all.size());
        }
    }

    @Override
    public Admission peek(String key, int perMinute) {
        Bucket bucket = buckets.get(key + "@" + perMinute);
        if (bucket == null) {
            return Admission.ALLOWED;
        }
        EstimationProbe probe = bucket.estimateAbilityToConsume(1);
        return probe.canBeConsumed() ? Admission.ALLOWED
                : new Admission(false, Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** Counted among the last {@value #KEPT_RECORDS} entries, all this store keeps. */
    @Override
    public long requestsSince(Instant since) {
        synchronized (entries) {
            return entries.stream().filter(entry -> !entry.at().isBefore(since)).count();
        }
    }
}
