package dev.keysafe.proxy.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keysafe.common.ConfigException;
import dev.keysafe.secretsmanager.jdbc.SecretsManagerDriver;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import org.flywaydb.core.Flyway;

/**
 * How {@link PostgresStore} reaches its database: a HikariCP pool opened, and the schema migrated
 * by Flyway, before the proxy binds a port; and how a failure reads, by its SQLState and never by
 * the driver's message, which can quote the values (a password among them) it was given.
 */
final class PostgresSetup {

    private PostgresSetup() {
    }

    /**
     * A pool on the database in {@code settings}, its schema at the latest version.
     *
     * @throws ConfigException when it cannot be reached, refuses the login, or cannot be migrated
     */
    static HikariDataSource pool(StoreSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("keysafe-store");
        config.setJdbcUrl(settings.url());
        if (settings.secretId().isEmpty()) {
            config.setUsername(settings.user());
            config.setPassword(settings.password());
        } else {
            SecretsManagerDriver.load(settings.awsEndpoint(), settings.awsRegion(),
                    "the proxy's database (" + StoreSettings.SECRET_ID + ")");
            config.setDriverClassName(SecretsManagerDriver.CLASS_NAME);
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
            return pool;
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            throw atStart(e, settings);
        }
    }

    static SQLException sqlCause(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    /** Connection failures (SQLState class 08), a server shutting down (57P), out of resources (53). */
    static boolean unreachable(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException || state.startsWith("08") || state.startsWith("57P")
                || state.startsWith("53");
    }

    /** The failure's SQLState or type, without the driver's message. */
    static String reason(Throwable e) {
        SQLException sql = sqlCause(e);
        return sql != null && sql.getSQLState() != null ? "SQLState " + sql.getSQLState()
                : (sql != null ? sql : e).getClass().getSimpleName();
    }

    /** A start-up failure in one line that names the settings to check. */
    private static ConfigException atStart(RuntimeException e, StoreSettings settings) {
        if (e instanceof ConfigException config) {
            return config;
        }
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
                + login + " may create tables in it (see 06-server-proxy/REFERENCE.md).");
    }
}
