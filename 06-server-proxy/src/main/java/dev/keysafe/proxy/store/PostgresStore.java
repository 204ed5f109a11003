package dev.keysafe.proxy.store;

import com.zaxxer.hikari.HikariDataSource;
import dev.keysafe.common.ConfigException;
import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.StoreUnavailable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} that several proxy instances share: PostgreSQL, reached through a HikariCP
 * pool, its schema created and migrated by Flyway at start-up ({@code db/migration}). The rules
 * that guard money and rate hold in the database, so they hold across any number of instances:
 * a reservation is one conditional {@code UPDATE}, rate limits are Bucket4j buckets in a table
 * (locked row by row), and a revocation is read on every request (no cache).
 *
 * <p>Fail closed: while the database cannot be reached, every method throws
 * {@link StoreUnavailable} (never "allow"), and one WARN line marks the outage's start and one its
 * end. The pool reconnects by itself when the database is back.
 */
public final class PostgresStore implements Store {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
    private static final String TOKEN_COLUMNS = "id, name, token_hash, fingerprint, models, rpm, max_tokens, "
            + "created_at, expires_at, revoked, kind, limit_nano_usd FROM client_tokens JOIN budgets ON token_id = id";

    private final HikariDataSource pool;
    private final Sql sql;
    private final MinuteCounts minuteCounts;
    private final PostgresBuckets buckets;
    private final AtomicBoolean reachable = new AtomicBoolean(true);

    private PostgresStore(HikariDataSource pool) {
        this.pool = pool;
        this.sql = new Sql(pool, this::failure, this::markReachable);
        this.minuteCounts = new PostgresMinuteCounts(sql);
        this.buckets = new PostgresBuckets(pool, sql);
    }

    /**
     * Opens the database in {@code settings}: a pool, the schema migrated to the latest version.
     *
     * @throws ConfigException when it cannot be reached, refuses the login, or cannot be migrated
     */
    static PostgresStore open(StoreSettings settings) {
        return new PostgresStore(PostgresSetup.pool(settings));
    }

    // --- client tokens ---

    @Override
    public void addToken(ClientToken token) {
        sql.run(connection -> {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = Sql.prepare(connection, "INSERT INTO client_tokens (id, name, token_hash, "
                    + "fingerprint, models, rpm, max_tokens, created_at, expires_at, revoked, kind) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", token.id(), token.name(), token.hash(),
                    token.fingerprint(), connection.createArrayOf("text", token.models().toArray()), token.rpm(),
                    token.maxTokens(), token.createdAt(), token.expiresAt(), token.revoked(), token.kind());
                 PreparedStatement budget = Sql.prepare(connection, "INSERT INTO budgets (token_id, limit_nano_usd) "
                         + "VALUES (?, ?)", token.id(), token.budgetNanoUsd())) {
                insert.executeUpdate();
                budget.executeUpdate();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            return null;
        });
    }

    @Override
    public Optional<ClientToken> tokenByHash(String hash) {
        return sql.query("SELECT " + TOKEN_COLUMNS + " WHERE token_hash = ?", PostgresStore::tokenFrom, hash).stream()
                .findFirst();
    }

    @Override
    public Optional<ClientToken> token(String id) {
        return sql.query("SELECT " + TOKEN_COLUMNS + " WHERE id = ?", PostgresStore::tokenFrom, id).stream().findFirst();
    }

    @Override
    public List<ClientToken> tokens() {
        return sql.query("SELECT " + TOKEN_COLUMNS + " ORDER BY created_at, id", PostgresStore::tokenFrom);
    }

    @Override
    public boolean revoke(String id) {
        return sql.update("UPDATE client_tokens SET revoked = TRUE WHERE id = ?", id) > 0;
    }

    // --- budgets ---

    @Override
    public boolean reserve(String tokenId, String requestId, long nanoUsd, Instant expiresAt) {
        // One statement: the row lock makes racing reservations, from any instance, take turns, each
        // re-checks the sum it would leave, and the request's own row is written with it or not at all.
        return nanoUsd >= 0 && sql.update("WITH granted AS (UPDATE budgets SET reserved_nano_usd = reserved_nano_usd + ? "
                + "WHERE token_id = ? AND spent_nano_usd + reserved_nano_usd + ? <= limit_nano_usd RETURNING token_id) "
                + "INSERT INTO reservations (request_id, token_id, nano_usd, expires_at) SELECT ?, token_id, ?, ? "
                + "FROM granted", nanoUsd, tokenId, nanoUsd, requestId, nanoUsd, expiresAt) > 0;
    }

    @Override
    public void extend(String tokenId, String requestId, Instant expiresAt) {
        sql.update("UPDATE reservations SET expires_at = ? WHERE request_id = ?", expiresAt, requestId);
    }

    @Override
    public boolean settle(String tokenId, String requestId, long chargedNanoUsd) {
        long charged = Math.max(chargedNanoUsd, 0);
        boolean held = sql.update("WITH held AS (DELETE FROM reservations WHERE request_id = ? RETURNING token_id, "
                + "nano_usd) UPDATE budgets SET reserved_nano_usd = reserved_nano_usd - held.nano_usd, spent_nano_usd "
                + "= spent_nano_usd + LEAST(?, held.nano_usd) FROM held WHERE budgets.token_id = held.token_id",
                requestId, charged) > 0;
        if (!held) {
            // Released by the sweeper already: charged only as far as the budget has room.
            sql.update("UPDATE budgets SET spent_nano_usd = spent_nano_usd + LEAST(?, GREATEST(0, limit_nano_usd "
                    + "- spent_nano_usd - reserved_nano_usd)) WHERE token_id = ?", charged, tokenId);
        }
        return held;
    }

    @Override
    public List<Reservation> releaseExpired(Instant now, int limit) {
        // One statement: the rows go, their amounts leave the budgets, and the count grows, together.
        return sql.query("WITH lapsed AS (DELETE FROM reservations WHERE request_id IN (SELECT request_id FROM "
                + "reservations WHERE expires_at < ? ORDER BY expires_at LIMIT ?) RETURNING token_id, request_id, "
                + "nano_usd, expires_at), released AS (UPDATE budgets SET reserved_nano_usd = reserved_nano_usd - "
                + "t.total FROM (SELECT token_id, sum(nano_usd) AS total FROM lapsed GROUP BY token_id) t WHERE "
                + "budgets.token_id = t.token_id), counted AS (UPDATE store_counters SET value = value + (SELECT "
                + "count(*) FROM lapsed) WHERE name = 'reservations_released') SELECT token_id, request_id, nano_usd, "
                + "expires_at FROM lapsed", row -> new Reservation(row.getString(1), row.getString(2), row.getLong(3),
                row.getTimestamp(4).toInstant()), now, limit);
    }

    @Override
    public long releasedReservations() {
        return sql.query("SELECT value FROM store_counters WHERE name = 'reservations_released'",
                row -> row.getLong(1)).get(0);
    }

    @Override
    public Budget budget(String tokenId) {
        return sql.query("SELECT limit_nano_usd, spent_nano_usd, reserved_nano_usd FROM budgets WHERE token_id = ?",
                row -> new Budget(row.getLong(1), row.getLong(2), row.getLong(3)), tokenId).stream().findFirst()
                .orElse(new Budget(0, 0, 0));
    }

    // --- rate limits ---

    @Override
    public Admission admit(String key, int perMinute) {
        return buckets.admit(key, perMinute);
    }

    // --- the spike monitor's counts ---

    @Override
    public MinuteCounts minuteCounts() {
        return minuteCounts;
    }

    // --- usage ledger and audit log ---

    @Override
    public void record(LedgerEntry entry) {
        sql.update("INSERT INTO usage_ledger (token_id, at, route, model, status, prompt_tokens, completion_tokens, "
                        + "cost_nano_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", entry.tokenId(), entry.at(), entry.route(),
                entry.model(), entry.status(), entry.promptTokens(), entry.completionTokens(), entry.costNanoUsd());
    }

    @Override
    public Usage usage(String tokenId) {
        return sql.query("SELECT count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), "
                + "coalesce(sum(cost_nano_usd), 0), max(at) FROM usage_ledger WHERE token_id = ?", row -> row.getLong(1) == 0
                ? Usage.NONE : new Usage(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4),
                row.getTimestamp(5).toInstant()), tokenId).get(0);
    }

    @Override
    public List<LedgerEntry> recentEntries(int limit) {
        return Sql.oldestFirst(sql.query("SELECT token_id, at, route, model, status, prompt_tokens, completion_tokens, "
                + "cost_nano_usd FROM usage_ledger ORDER BY id DESC LIMIT ?", row -> new LedgerEntry(row.getString(1),
                row.getTimestamp(2).toInstant(), row.getString(3), row.getString(4), row.getInt(5), row.getLong(6),
                row.getLong(7), row.getLong(8)), limit));
    }

    @Override
    public void audit(AuditEvent event) {
        sql.update("INSERT INTO audit_log (at, action, subject, fingerprint, detail, remote) VALUES (?, ?, ?, ?, ?, ?)",
                event.at(), event.action(), event.subject(), event.fingerprint(), event.detail(), event.remote());
    }

    @Override
    public List<AuditEvent> auditLog(int limit) {
        return Sql.oldestFirst(sql.query("SELECT at, action, subject, fingerprint, detail, remote FROM audit_log "
                + "ORDER BY id DESC LIMIT ?", row -> new AuditEvent(row.getTimestamp(1).toInstant(), row.getString(2),
                row.getString(3), row.getString(4), row.getString(5), row.getString(6)), limit));
    }

    // --- for the dashboard ---

    @Override
    public Admission peek(String key, int perMinute) {
        return buckets.peek(key, perMinute);
    }

    @Override
    public long requestsSince(Instant since) {
        return sql.query("SELECT count(*) FROM usage_ledger WHERE at >= ?", row -> row.getLong(1), since).get(0);
    }

    // --- retention ---

    @Override
    public int deleteLedgerBefore(Instant cutoff, int batch) {
        return deleteBefore("usage_ledger", cutoff, batch);
    }

    @Override
    public int deleteAuditBefore(Instant cutoff, int batch) {
        return deleteBefore("audit_log", cutoff, batch);
    }

    /** A batch by physical row address: one short statement, its few locks held for milliseconds. */
    private int deleteBefore(String table, Instant cutoff, int batch) {
        return sql.update("DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM " + table + " WHERE at < ? "
                + "LIMIT ?)", cutoff, batch);
    }

    // --- the store itself ---

    @Override
    public boolean reachable() {
        try (Connection connection = pool.getConnection()) {
            if (connection.isValid(1)) {
                markReachable();
                return true;
            }
            markUnreachable("connection not valid");
            return false;
        } catch (SQLException e) {
            markUnreachable(PostgresSetup.reason(e));
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "PostgresStore[" + pool.getPoolName() + "]";
    }

    // --- plumbing ---

    private static ClientToken tokenFrom(ResultSet row) throws SQLException {
        return new ClientToken(row.getString("id"), row.getString("name"), row.getString("token_hash"),
                row.getString("fingerprint"), Set.of((String[]) row.getArray("models").getArray()),
                row.getLong("limit_nano_usd"), row.getInt("rpm"), row.getInt("max_tokens"),
                row.getTimestamp("created_at").toInstant(), row.getTimestamp("expires_at").toInstant(),
                row.getBoolean("revoked"), row.getString("kind"));
    }

    /**
     * What a failed call becomes: {@link StoreUnavailable} when the database cannot be reached (the
     * outage starts here, logged once); otherwise a bug, reported by its SQLState only, since a
     * driver's message can quote the values it was given.
     */
    private RuntimeException failure(Exception e) {
        if (e instanceof StoreUnavailable unavailable) {
            return unavailable;
        }
        SQLException sql = PostgresSetup.sqlCause(e);
        if (sql == null) {
            return e instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("the store failed (" + e.getClass().getSimpleName() + ")");
        }
        // A library may hide the first failure behind a later one (Bucket4j's rollback on a
        // connection the pool already closed says only "Connection is closed"): when the failure
        // does not say, the pool is asked whether the database answers.
        if (PostgresSetup.unreachable(sql) || !reachable()) {
            markUnreachable(PostgresSetup.reason(sql));
            return new StoreUnavailable();
        }
        return new IllegalStateException("the store's query failed (" + PostgresSetup.reason(sql) + ")");
    }

    private void markUnreachable(String reason) {
        if (reachable.compareAndSet(true, false)) {
            LOG.warn("store: the database is unreachable ({}); requests that need it get 503 store_unavailable "
                    + "until it is back", reason);
        }
    }

    private void markReachable() {
        if (!reachable.get() && reachable.compareAndSet(false, true)) {
            LOG.warn("store: the database is reachable again; serving");
        }
    }
}
