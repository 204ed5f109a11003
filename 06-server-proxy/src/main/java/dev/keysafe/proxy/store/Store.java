package dev.keysafe.proxy.store;

import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.StoreUnavailable;
import dev.keysafe.proxy.TokenStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the full proxy remembers: client tokens (as hashes, the lesson's {@link TokenStore}),
 * budgets, rate limits, the usage ledger and the audit log. One interface so the state can live in
 * this process ({@link InMemoryStore}, one instance) or in a database shared by several instances
 * ({@link PostgresStore}). Each method that guards money or rate is atomic in the store itself:
 * checking and updating in two calls would let racing requests slip through together.
 *
 * <p>A store that cannot answer fails closed: it throws {@link StoreUnavailable} (the server answers
 * 503 {@code store_unavailable}), never a default that would let a request through.
 */
public interface Store extends TokenStore, AutoCloseable {

    // --- the store itself ---

    /** True when the store can answer now; {@code /health} reports it. Always true in memory. */
    default boolean reachable() {
        return true;
    }

    /** Releases what the store holds (a database's connections); nothing in memory. */
    @Override
    default void close() {
    }

    // --- client tokens, besides adding them and finding them by hash ---

    Optional<ClientToken> token(String id);

    List<ClientToken> tokens();

    /** Marks a token revoked; false when there is no such token. Revocation takes effect on the next request. */
    boolean revoke(String id);

    // --- budgets: reserve the worst case, then settle the real cost ---

    /**
     * Reserves {@code nanoUsd} of the token's budget for request {@code requestId} until {@code expiresAt}, when
     * spent + reserved + nanoUsd stays within it; false (and nothing reserved) otherwise. Atomic: concurrent
     * reservations never overdraw.
     */
    boolean reserve(String tokenId, String requestId, long nanoUsd, Instant expiresAt);

    /** Moves the expiry of request {@code requestId}'s reservation: the request is still running (a long stream). */
    void extend(String tokenId, String requestId, Instant expiresAt);

    /**
     * Ends request {@code requestId}'s reservation: it is released and {@code chargedNanoUsd} (at most the amount
     * reserved) is added to the token's spend. True when the reservation was still held; false when it had
     * lapsed and been released already (see {@link #releaseExpired}), and the charge is then added only as far
     * as the budget has room, so a late settle never overspends.
     */
    boolean settle(String tokenId, String requestId, long chargedNanoUsd);

    /**
     * Releases reservations whose expiry has passed (no request that holds one can still be running: a
     * request in flight when the store dropped, say, could not settle), at most {@code limit} of them; the
     * ones released. Every instance may sweep: each reservation is released once.
     */
    List<Reservation> releaseExpired(Instant now, int limit);

    /** How many reservations {@link #releaseExpired} has released, over the store's life (every instance's). */
    long releasedReservations();

    /** The token's budget: its limit, what it has spent, and what is reserved by requests in flight. */
    Budget budget(String tokenId);

    // --- rate limits ---

    /**
     * Takes one request from the bucket named {@code key}, which allows {@code perMinute}
     * requests a minute; says how long to wait when it is empty.
     */
    Admission admit(String key, int perMinute);

    // --- the spike monitor's counts ---

    /** Requests per token per minute: this process's in memory, every instance's in a shared database. */
    MinuteCounts minuteCounts();

    // --- usage ledger and audit log ---

    /** Records one request that went upstream. */
    void record(LedgerEntry entry);

    /** The ledger summed per token: requests, tokens, cost, last use. */
    Usage usage(String tokenId);

    /** The most recent ledger entries, newest last. */
    List<LedgerEntry> recentEntries(int limit);

    void audit(AuditEvent event);

    /** The most recent audit events, newest last. */
    List<AuditEvent> auditLog(int limit);

    // --- for the dashboard: reads that change nothing ---

    /**
     * What {@link #admit} would answer now for the bucket {@code key}, without taking a request
     * from it: the dashboard's "rate limited now".
     */
    Admission peek(String key, int perMinute);

    /** How many requests went upstream at or after {@code since}, all tokens together (the ledger's entries). */
    long requestsSince(Instant since);

    // --- retention: old rows deleted a batch at a time, by the store's upkeep ---

    /** Deletes up to {@code batch} ledger entries recorded before {@code cutoff}; how many. */
    int deleteLedgerBefore(Instant cutoff, int batch);

    /** Deletes up to {@code batch} audit events from before {@code cutoff}; how many. */
    int deleteAuditBefore(Instant cutoff, int batch);

    /** A token's budget in nano-dollars. */
    record Budget(long limitNanoUsd, long spentNanoUsd, long reservedNanoUsd) {
        public long leftNanoUsd() {
            return limitNanoUsd - spentNanoUsd - reservedNanoUsd;
        }
    }

    /** One request's reservation of a token's budget, and when it lapses. */
    record Reservation(String tokenId, String requestId, long nanoUsd, Instant expiresAt) {
    }

    /** The answer of a rate limit: allowed, or refused with the time until a request is allowed again. */
    record Admission(boolean allowed, Duration retryAfter) {
        static final Admission ALLOWED = new Admission(true, Duration.ZERO);

        /** The wait in whole seconds, rounded up: what {@code Retry-After} says. */
        public long retryAfterSeconds() {
            return (retryAfter.toMillis() + 999) / 1000;
        }
    }

    /**
     * One request that went upstream, as billed.
     *
     * @param status the status the upstream answered (0 when it could not be reached)
     */
    record LedgerEntry(String tokenId, Instant at, String route, String model, int status,
                       long promptTokens, long completionTokens, long costNanoUsd) {
    }

    /** A token's ledger summed up. */
    record Usage(long requests, long promptTokens, long completionTokens, long costNanoUsd, Instant lastUsed) {
        public static final Usage NONE = new Usage(0, 0, 0, 0, null);

        Usage plus(LedgerEntry entry) {
            return new Usage(requests + 1, promptTokens + entry.promptTokens(),
                    completionTokens + entry.completionTokens(), costNanoUsd + entry.costNanoUsd(), entry.at());
        }
    }

    /**
     * One admin action (or refused admin attempt), with token fingerprints only, never a secret.
     *
     * @param subject the token id or upstream key fingerprint acted on; empty when none
     */
    record AuditEvent(Instant at, String action, String subject, String fingerprint, String detail, String remote) {
    }
}
