package dev.keysafe.secretsmanager;

import com.openai.models.completions.CompletionUsage;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The audit log of asks: one row per ask in PostgreSQL (table {@code ask_audit}, see
 * {@code audit.sql}) with the time, the key's fingerprint, the exit code and the tokens used;
 * never the key, and the question only when AUDIT_RECORD_PROMPTS=true.
 *
 * <p>The database password lives in Secrets Manager too. AUDIT_JDBC_URL uses AWS's
 * {@code jdbc-secretsmanager:postgresql://} scheme and the connection's user is AUDIT_DB_SECRET_ID,
 * a secret holding {@code {"username": ..., "password": ...}}. AWS's JDBC driver fetches and caches
 * it; when the database refuses a rotated password, the driver fetches the secret again and
 * reconnects. A connection per row keeps that visible: every write logs in.
 */
final class AuditLog {

    static final String URL_VARIABLE = "AUDIT_JDBC_URL";
    static final String SECRET_VARIABLE = "AUDIT_DB_SECRET_ID";
    static final String PROMPTS_VARIABLE = "AUDIT_RECORD_PROMPTS";
    static final String DRIVER = "com.amazonaws.secretsmanager.sql.AWSSecretsManagerPostgreSQLDriver";
    private static final String SCHEME = "jdbc-secretsmanager:postgresql://";

    private static final AuditLog OFF = new AuditLog(null, null, false, s -> { });

    private final String url;
    private final Properties login;
    private final boolean recordPrompts;
    private final Consumer<String> warnings;
    private final AtomicInteger written = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    private AuditLog(String url, Properties login, boolean recordPrompts, Consumer<String> warnings) {
        this.url = url;
        this.login = login;
        this.recordPrompts = recordPrompts;
        this.warnings = warnings;
    }

    /**
     * The audit log configured in {@code env}, checked with one login; a log that records nothing
     * when AUDIT_JDBC_URL is not set.
     */
    static AuditLog from(Map<String, String> env, Consumer<String> warnings) {
        String url = env.getOrDefault(URL_VARIABLE, "").strip();
        if (url.isEmpty()) {
            return OFF;
        }
        if (!url.startsWith(SCHEME)) {
            throw new ConfigException(URL_VARIABLE + " must start with " + SCHEME + " so the password comes "
                    + "from Secrets Manager, e.g. " + SCHEME + "127.0.0.1:5432/keysafe.");
        }
        String secretId = env.getOrDefault(SECRET_VARIABLE, "").strip();
        if (secretId.isEmpty()) {
            throw new ConfigException(SECRET_VARIABLE + " is not set. Name the secret that holds the audit "
                    + "database's username and password (see 05-secrets-manager/README.md).");
        }
        loadDriver(env);
        Properties login = new Properties();
        // The driver reads the "user" as the id of the secret holding the real username and password.
        login.setProperty("user", secretId);
        login.setProperty("connectTimeout", "5");
        AuditLog log = new AuditLog(url, login, "true".equalsIgnoreCase(env.get(PROMPTS_VARIABLE)), warnings);
        try (Connection checked = log.connect()) {
            return log;
        } catch (SQLException | RuntimeException e) {
            throw new ConfigException("The audit database could not be opened (" + reason(e) + "): check "
                    + URL_VARIABLE + " and the secret " + secretId + ".");
        }
    }

    /** Writes one row; a failed write is counted and reported as a warning, the ask still stands. */
    void record(ApiKey key, int exitCode, CompletionUsage usage, String question) {
        if (url == null) {
            return;
        }
        try (Connection connection = connect();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO ask_audit (key_fingerprint, "
                     + "exit_code, prompt_tokens, completion_tokens, total_tokens, prompt) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, key.fingerprint());
            insert.setInt(2, exitCode);
            setTokens(insert, 3, usage == null ? null : usage.promptTokens());
            setTokens(insert, 4, usage == null ? null : usage.completionTokens());
            setTokens(insert, 5, usage == null ? null : usage.totalTokens());
            insert.setString(6, recordPrompts ? question : null);
            insert.executeUpdate();
            written.incrementAndGet();
        } catch (SQLException | RuntimeException e) {
            failed.incrementAndGet();
            warnings.accept("warning: the audit row could not be written (" + reason(e) + ").");
        }
    }

    boolean enabled() {
        return url != null;
    }

    int written() {
        return written.get();
    }

    int failed() {
        return failed.get();
    }

    @Override
    public String toString() {
        return "AuditLog[" + (url == null ? "off" : url + ", user from secret " + login.getProperty("user")) + "]";
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, login);
    }

    /**
     * AWS's driver builds its own Secrets Manager client when its class loads, from system
     * properties (or secretsmanager.properties): point it at the same endpoint first.
     */
    private static void loadDriver(Map<String, String> env) {
        String endpoint = AwsSetup.endpoint(env);
        String region = AwsSetup.region(env);
        if (!endpoint.isEmpty() && !region.isEmpty()) {
            System.setProperty("drivers.vpcEndpointUrl", endpoint);
            System.setProperty("drivers.vpcEndpointRegion", region);
        }
        try {
            Class.forName(DRIVER);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException("The audit database driver could not start (" + e.getClass().getSimpleName()
                    + "): check AWS_REGION.");
        }
    }

    private static void setTokens(PreparedStatement insert, int index, Long tokens) throws SQLException {
        if (tokens == null) {
            insert.setNull(index, Types.INTEGER);
        } else {
            insert.setInt(index, tokens.intValue());
        }
    }

    /** What failed, without the driver's message (which can quote the user and the server's words). */
    private static String reason(Exception e) {
        return e instanceof SQLException sql && sql.getSQLState() != null ? "SQLState " + sql.getSQLState()
                : e.getClass().getSimpleName();
    }
}
