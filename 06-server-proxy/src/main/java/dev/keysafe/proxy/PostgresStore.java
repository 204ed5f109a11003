package dev.keysafe.proxy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keysafe.common.ConfigException;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} that several proxy instances share: PostgreSQL, reached through a HikariCP
 * pool, its schema created and migrated by Flyway at start-up ({@code db/migration}). The rules
 * that guard money and rate hold in the database, so they hold across any number of instances:
 * a reservation is one conditional {@code UPDATE}, rate limits are Bucket4j buckets in a table
 * (locked row by row), and a revocation is read on every request (no cache).
 *
 * <p>Fail closed: while the database cannot be reached, every method throws a 503
 * {@code store_unavailable} {@link ProxyError} (never "allow"), and one WARN line marks the
 * outage's start and one its end. The pool reconnects by itself when the database is back.
 */
public final class PostgresStore implements Store {

    /** The message a client gets while the database is down: the proxy's words, no driver text. */
    static final String UNAVAILABLE = "The proxy's database is unreachable; try again shortly.";
    static final long RETRY_AFTER_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
    private static final String SECRET_DRIVER = "com.amazonaws.secretsmanager.sql.AWSSecretsManagerPostgreSQLDriver";
    private static final String TOKEN_COLUMNS = "id, name, token_hash, fingerprint, models, rpm, max_tokens, "
            + "created_at, expires_at, revoked, kind, limit_nano_usd";
    /** Idle rate-limit buckets are deleted in batches this size, every this many admissions. */
    private static final int CLEANUP_BATCH = 100;
    private static final int CLEANUP_EVERY = 1_000;

    private final HikariDataSource pool;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    private final AtomicLong admissions = new AtomicLong();

    private PostgresStore(HikariDataSource pool) {
        this.pool = pool;
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(pool)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_buckets")
                // A bucket unused for a minute is full again: its row can go.
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ZERO))
                .build();
    }

    /**
     * Opens the database in {@code settings}: a pool, the schema migrated to the latest version.
     *
     * @throws ConfigException when it cannot be reached, refuses the login, or cannot be migrated
     */
    static PostgresStore open(StoreSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("keysafe-store");
        config.setJdbcUrl(settings.url());
        if (settings.secretId().isEmpty()) {
            config.setUsername(settings.user());
            config.setPassword(settings.password());
        } else {
            loadSecretDriver(settings);
            config.setDriverClassName(SECRET_DRIVER);
            // AWS's driver reads the "user" as the id of the secret holding the real login.
            config.setUsername(settings.secretId());
        }
        config.setMaximumPoolSize(settings.poolSize());
        // Short waits: while the database is down a request is refused in seconds, not minutes.
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        config.setValidationTimeout(Math.min(1_000, settings.connectionTimeout().toMillis()));
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "30");
        config.addDataSourceProperty("ApplicationName", "keysafe-proxy");
        HikariDataSource pool = null;
        try {
            pool = new HikariDataSource(config);
            // Instances starting together are safe: Flyway holds a database lock while it migrates.
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
            return new PostgresStore(pool);
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            throw startFailure(e, settings);
        }
    }

    // --- client tokens ---

    @Override
    public void addToken(ClientToken token) {
        run(connection -> {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO client_tokens (id, name, "
                    + "token_hash, fingerprint, models, rpm, max_tokens, created_at, expires_at, revoked, kind) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                 PreparedStatement budget = connection.prepareStatement(
                         "INSERT INTO budgets (token_id, limit_nano_usd) VALUES (?, ?)")) {
                insert.setString(1, token.id());
                insert.setString(2, token.name());
                insert.setString(3, token.hash());
                insert.setString(4, token.fingerprint());
                insert.setArray(5, connection.createArrayOf("text", token.models().toArray()));
                insert.setInt(6, token.rpm());
                insert.setInt(7, token.maxTokens());
                insert.setTimestamp(8, Timestamp.from(token.createdAt()));
                insert.setTimestamp(9, Timestamp.from(token.expiresAt()));
                insert.setBoolean(10, token.revoked());
                insert.setString(11, token.kind());
                insert.executeUpdate();
                budget.setString(1, token.id());
                budget.setLong(2, token.budgetNanoUsd());
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
        return oneToken("token_hash = ?", hash);
    }

    @Override
    public Optional<ClientToken> token(String id) {
        return oneToken("id = ?", id);
    }

    @Override
    public List<ClientToken> tokens() {
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT " + TOKEN_COLUMNS
                    + " FROM client_tokens JOIN budgets ON token_id = id ORDER BY created_at, id");
                 ResultSet rows = select.executeQuery()) {
                List<ClientToken> all = new ArrayList<>();
                while (rows.next()) {
                    all.add(tokenFrom(rows));
                }
                return all;
            }
        });
    }

    @Override
    public boolean revoke(String id) {
        return update("UPDATE client_tokens SET revoked = TRUE WHERE id = ?", id) > 0;
    }

    // --- budgets ---

    @Override
    public boolean reserve(String tokenId, long nanoUsd) {
        if (nanoUsd < 0) {
            return false;
        }
        // One statement: the row lock makes racing reservations, from any instance, take turns,
        // and each re-checks the sum it would leave.
        return update("UPDATE budgets SET reserved_nano_usd = reserved_nano_usd + ? WHERE token_id = ? "
                + "AND spent_nano_usd + reserved_nano_usd + ? <= limit_nano_usd", nanoUsd, tokenId, nanoUsd) > 0;
    }

    @Override
    public void settle(String tokenId, long reservedNanoUsd, long chargedNanoUsd) {
        long charged = Math.min(Math.max(chargedNanoUsd, 0), reservedNanoUsd);
        update("UPDATE budgets SET reserved_nano_usd = reserved_nano_usd - ?, spent_nano_usd = spent_nano_usd + ? "
                + "WHERE token_id = ?", reservedNanoUsd, charged, tokenId);
    }

    @Override
    public Budget budget(String tokenId) {
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT limit_nano_usd, spent_nano_usd, "
                    + "reserved_nano_usd FROM budgets WHERE token_id = ?")) {
                select.setString(1, tokenId);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? new Budget(row.getLong(1), row.getLong(2), row.getLong(3)) : new Budget(0, 0, 0);
                }
            }
        });
    }

    // --- rate limits ---

    @Override
    public Admission admit(String key, int perMinute) {
        BucketConfiguration limit = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                .build();
        ConsumptionProbe probe;
        try {
            probe = buckets.builder().build(key + "@" + perMinute, () -> limit).tryConsumeAndReturnRemaining(1);
            if (admissions.incrementAndGet() % CLEANUP_EVERY == 0) {
                buckets.removeExpired(CLEANUP_BATCH);
            }
        } catch (RuntimeException e) {
            throw failure(e);
        }
        markReachable();
        return probe.isConsumed() ? Admission.ALLOWED
                : new Admission(false, Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    // --- usage ledger and audit log ---

    @Override
    public void record(LedgerEntry entry) {
        update("INSERT INTO usage_ledger (token_id, at, route, model, status, prompt_tokens, completion_tokens, "
                        + "cost_nano_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", entry.tokenId(), entry.at(), entry.route(),
                entry.model(), entry.status(), entry.promptTokens(), entry.completionTokens(), entry.costNanoUsd());
    }

    @Override
    public Usage usage(String tokenId) {
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT count(*), "
                    + "coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), "
                    + "coalesce(sum(cost_nano_usd), 0), max(at) FROM usage_ledger WHERE token_id = ?")) {
                select.setString(1, tokenId);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    Timestamp last = row.getTimestamp(5);
                    return row.getLong(1) == 0 ? Usage.NONE : new Usage(row.getLong(1), row.getLong(2), row.getLong(3),
                            row.getLong(4), last.toInstant());
                }
            }
        });
    }

    @Override
    public List<LedgerEntry> recentEntries(int limit) {
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT token_id, at, route, model, status, "
                    + "prompt_tokens, completion_tokens, cost_nano_usd FROM usage_ledger ORDER BY id DESC LIMIT ?")) {
                select.setInt(1, limit);
                List<LedgerEntry> entries = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        entries.add(new LedgerEntry(rows.getString(1), rows.getTimestamp(2).toInstant(),
                                rows.getString(3), rows.getString(4), rows.getInt(5), rows.getLong(6), rows.getLong(7),
                                rows.getLong(8)));
                    }
                }
                Collections.reverse(entries);
                return entries;
            }
        });
    }

    @Override
    public void audit(AuditEvent event) {
        update("INSERT INTO audit_log (at, action, subject, fingerprint, detail, remote) VALUES (?, ?, ?, ?, ?, ?)",
                event.at(), event.action(), event.subject(), event.fingerprint(), event.detail(), event.remote());
    }

    @Override
    public List<AuditEvent> auditLog(int limit) {
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT at, action, subject, fingerprint, "
                    + "detail, remote FROM audit_log ORDER BY id DESC LIMIT ?")) {
                select.setInt(1, limit);
                List<AuditEvent> events = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        events.add(new AuditEvent(rows.getTimestamp(1).toInstant(), rows.getString(2),
                                rows.getString(3), rows.getString(4), rows.getString(5), rows.getString(6)));
                    }
                }
                Collections.reverse(events);
                return events;
            }
        });
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
            markUnreachable(reason(e));
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

    /** One piece of work on a pooled connection. */
    @FunctionalInterface
    private interface Work<T> {
        T on(Connection connection) throws SQLException;
    }

    private <T> T run(Work<T> work) {
        T result;
        try (Connection connection = pool.getConnection()) {
            result = work.on(connection);
        } catch (SQLException | RuntimeException e) {
            throw failure(e);
        }
        markReachable();
        return result;
    }

    /** Runs one statement with {@code values} bound in order; the rows it changed. */
    private int update(String sql, Object... values) {
        return run(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < values.length; i++) {
                    Object value = values[i] instanceof Instant at ? Timestamp.from(at) : values[i];
                    statement.setObject(i + 1, value);
                }
                return statement.executeUpdate();
            }
        });
    }

    private Optional<ClientToken> oneToken(String where, String value) {
        return run(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT " + TOKEN_COLUMNS
                    + " FROM client_tokens JOIN budgets ON token_id = id WHERE " + where)) {
                select.setString(1, value);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(tokenFrom(row)) : Optional.empty();
                }
            }
        });
    }

    private static ClientToken tokenFrom(ResultSet row) throws SQLException {
        Array models = row.getArray("models");
        return new ClientToken(row.getString("id"), row.getString("name"), row.getString("token_hash"),
                row.getString("fingerprint"), Set.of((String[]) models.getArray()), row.getLong("limit_nano_usd"),
                row.getInt("rpm"), row.getInt("max_tokens"), row.getTimestamp("created_at").toInstant(),
                row.getTimestamp("expires_at").toInstant(), row.getBoolean("revoked"), row.getString("kind"));
    }

    /**
     * What a failed call becomes: 503 {@code store_unavailable} when the database cannot be
     * reached (the outage starts here, logged once); otherwise a bug, reported by its SQLState only,
     * since a driver's message can quote the values it was given.
     */
    private RuntimeException failure(Exception e) {
        if (e instanceof ProxyError answer) {
            return answer;
        }
        SQLException sql = sqlCause(e);
        if (sql == null) {
            return e instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("the store failed (" + e.getClass().getSimpleName() + ")");
        }
        // A library may hide the first failure behind a later one (Bucket4j's rollback on a
        // connection the pool already closed says only "Connection is closed"): when the failure
        // does not say, the pool is asked whether the database answers.
        if (unreachable(sql) || !reachable()) {
            markUnreachable(reason(sql));
            return ProxyError.retryLater(503, "store_unavailable", UNAVAILABLE, RETRY_AFTER_SECONDS);
        }
        return new IllegalStateException("the store's query failed (" + reason(sql) + ")");
    }

    private static SQLException sqlCause(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    /** Connection failures (SQLState class 08), a server shutting down (57P), out of resources (53). */
    private static boolean unreachable(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException || state.startsWith("08") || state.startsWith("57P")
                || state.startsWith("53");
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

    /** The failure's SQLState or type, without the driver's message. */
    private static String reason(Throwable e) {
        SQLException sql = sqlCause(e);
        return sql != null && sql.getSQLState() != null ? "SQLState " + sql.getSQLState()
                : (sql != null ? sql : e).getClass().getSimpleName();
    }

    /** A start-up failure in one line that names the settings to check. */
    private static ConfigException startFailure(RuntimeException e, StoreSettings settings) {
        String login = settings.secretId().isEmpty() ? StoreSettings.USER + " and " + StoreSettings.PASSWORD
                : "the secret in " + StoreSettings.SECRET_ID;
        SQLException sql = sqlCause(e);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        if (state.startsWith("28")) {
            return new ConfigException("The database refused the proxy's login (" + reason(e) + "): check " + login
                    + ".");
        }
        if (state.equals("3D000")) {
            return new ConfigException("The database named in " + StoreSettings.URL + " does not exist: create it "
                    + "(CREATE DATABASE), or fix the name at the end of the URL.");
        }
        if (sql == null || unreachable(sql)) {
            return new ConfigException("The proxy's database cannot be reached (" + reason(e) + "): check "
                    + StoreSettings.URL + " and that PostgreSQL is running and reachable from here.");
        }
        return new ConfigException("The proxy's database could not be set up (" + reason(e) + "): check that "
                + login + " may create tables in it (see 06-server-proxy/README.md).");
    }

    /**
     * AWS's driver builds its own Secrets Manager client when its class loads, from system
     * properties: point it at the same endpoint first, as 05's audit log does.
     */
    private static void loadSecretDriver(StoreSettings settings) {
        if (!settings.awsEndpoint().isEmpty() && !settings.awsRegion().isEmpty()) {
            System.setProperty("drivers.vpcEndpointUrl", settings.awsEndpoint());
            System.setProperty("drivers.vpcEndpointRegion", settings.awsRegion());
        }
        try {
            Class.forName(SECRET_DRIVER);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException("The database driver for " + StoreSettings.SECRET_ID + " could not start ("
                    + e.getClass().getSimpleName() + "): check AWS_REGION.");
        }
    }
}
