package dev.keysafe.secretsmanager.audit;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.secretsmanager.Ask;
import dev.keysafe.secretsmanager.AwsSetup;
import dev.keysafe.secretsmanager.RetryAfterRotation;
import dev.keysafe.secretsmanager.SecretsManagerKey;
import dev.keysafe.secretsmanager.jdbc.SecretsManagerDriver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The audit log of asks: one row per ask in PostgreSQL (table {@code ask_audit}, see
 * {@code audit.sql}) with the time, the key's fingerprint, the exit code and the tokens used;
 * never the key, and the question only when AUDIT_RECORD_PROMPTS=true. It is the lesson's
 * {@link Ask.Asker}: the row needs the tokens, which only the whole completion holds.
 *
 * <p>The database password lives in Secrets Manager too. AUDIT_JDBC_URL uses AWS's
 * {@code jdbc-secretsmanager:postgresql://} scheme and the connection's user is AUDIT_DB_SECRET_ID,
 * a secret holding {@code {"username": ..., "password": ...}}. AWS's JDBC driver fetches and caches
 * it; when the database refuses a rotated password, the driver fetches the secret again and
 * reconnects. A connection per row keeps that visible: every write logs in.
 */
public final class AuditLog implements Ask.Asker {

    public static final String URL_VARIABLE = "AUDIT_JDBC_URL";
    public static final String SECRET_VARIABLE = "AUDIT_DB_SECRET_ID";
    public static final String PROMPTS_VARIABLE = "AUDIT_RECORD_PROMPTS";

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
     *
     * @throws ConfigException when a setting is wrong or the database cannot be opened
     */
    public static AuditLog from(Map<String, String> env, Consumer<String> warnings) {
        String url = env.getOrDefault(URL_VARIABLE, "").strip();
        if (url.isEmpty()) {
            return OFF;
        }
        if (!url.startsWith(SecretsManagerDriver.URL_PREFIX)) {
            throw new ConfigException(URL_VARIABLE + " must start with " + SecretsManagerDriver.URL_PREFIX
                    + " so the password comes from Secrets Manager, e.g. " + SecretsManagerDriver.URL_PREFIX
                    + "127.0.0.1:5432/keysafe.");
        }
        String secretId = env.getOrDefault(SECRET_VARIABLE, "").strip();
        if (secretId.isEmpty()) {
            throw new ConfigException(SECRET_VARIABLE + " is not set. Name the secret that holds the audit "
                    + "database's username and password (see 05-secrets-manager/REFERENCE.md).");
        }
        // The driver's own Secrets Manager client goes to the same endpoint as the lesson's.
        SecretsManagerDriver.load(AwsSetup.endpoint(env), AwsSetup.region(env), "the audit database");
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

    /** One ask, with the lesson's retry after a rotation, written as one row whatever its outcome. */
    @Override
    public String ask(OpenAIClient client, SecretsManagerKey key, String model, String question) {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(model).addUserMessage(question).build();
        ApiKey used = key.current();
        ChatCompletion completion;
        try {
            completion = RetryAfterRotation.call(key, () -> client.chat().completions().create(params));
        } catch (RuntimeException e) {
            record(used, OpenAiCall.explain(e).exitCode(), null, question);
            throw e;
        }
        record(key.current(), ExitCode.OK, completion.usage().orElse(null), question);
        return completion.choices().stream()
                .flatMap(choice -> choice.message().content().stream()).collect(Collectors.joining("\n"));
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

    /** False when AUDIT_JDBC_URL is not set: nothing is recorded. */
    public boolean enabled() {
        return url != null;
    }

    /** Rows written so far. */
    public int written() {
        return written.get();
    }

    /** Rows that could not be written so far (each was reported as a warning). */
    public int failed() {
        return failed.get();
    }

    @Override
    public String toString() {
        return "AuditLog[" + (url == null ? "off" : url + ", user from secret " + login.getProperty("user")) + "]";
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, login);
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
