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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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

    /** Spend and reservations of one token; its monitor is the lock that makes reserve atomic. */
    private static final class BudgetState {
        private final long limit;
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
    public boolean reserve(String tokenId, long nanoUsd) {
        BudgetState state = budgets.get(tokenId);
        if (state == null || nanoUsd < 0) {
            return false;
        }
        synchronized (state) {
            if (state.spent + state.reserved + nanoUsd > state.limit) {
                return false;
            }
            state.reserved += nanoUsd;
            return true;
        }
    }

    @Override
    public void settle(String tokenId, long reservedNanoUsd, long chargedNanoUsd) {
        BudgetState state = budgets.get(tokenId);
        if (state == null) {
            return;
        }
        synchronized (state) {
            state.reserved -= reservedNanoUsd;
            state.spent += Math.min(Math.max(chargedNanoUsd, 0), reservedNanoUsd);
        }
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
