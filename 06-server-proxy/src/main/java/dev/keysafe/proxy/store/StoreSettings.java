package dev.keysafe.proxy.store;

import dev.keysafe.common.ConfigException;
import dev.keysafe.secretsmanager.jdbc.SecretsManagerDriver;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Where the proxy keeps its state, read once from the environment: in this process
 * ({@code PROXY_STORE=memory}, the default) or in a PostgreSQL database that every instance shares
 * ({@code PROXY_STORE=postgres}). The database login is a user and password (PROXY_DB_USER,
 * PROXY_DB_PASSWORD), or a secret in AWS Secrets Manager that AWS's JDBC driver reads
 * (PROXY_DB_SECRET_ID, with a {@code jdbc-secretsmanager:postgresql://} URL, as 05's audit log).
 * {@code toString()} shows no password.
 */
public final class StoreSettings {

    public static final String STORE = "PROXY_STORE";
    public static final String URL = "PROXY_DB_URL";
    public static final String USER = "PROXY_DB_USER";
    public static final String PASSWORD = "PROXY_DB_PASSWORD";
    public static final String SECRET_ID = "PROXY_DB_SECRET_ID";
    public static final String POOL_SIZE = "PROXY_DB_POOL_SIZE";

    static final String PLAIN_SCHEME = "jdbc:postgresql://";
    static final String SECRET_SCHEME = SecretsManagerDriver.URL_PREFIX;
    /** How long a request waits for a database connection before it is refused with 503. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);

    /** Which store. */
    public enum Kind { MEMORY, POSTGRES }

    private final Kind kind;
    private final String url;
    private final String user;
    private final String password;
    private final String secretId;
    private final int poolSize;
    private final Duration connectionTimeout;
    private final String awsEndpoint;
    private final String awsRegion;

    private StoreSettings(Kind kind, String url, String user, String password, String secretId, int poolSize,
                          Duration connectionTimeout, String awsEndpoint, String awsRegion) {
        this.kind = kind;
        this.url = url;
        this.user = user;
        this.password = password;
        this.secretId = secretId;
        this.poolSize = poolSize;
        this.connectionTimeout = connectionTimeout;
        this.awsEndpoint = awsEndpoint;
        this.awsRegion = awsRegion;
    }

    /** In this process: the default. */
    public static StoreSettings memory() {
        return new StoreSettings(Kind.MEMORY, "", "", "", "", 0, CONNECTION_TIMEOUT, "", "");
    }

    /** A PostgreSQL database reached with a user and password. */
    public static StoreSettings postgres(String url, String user, String password) {
        return new StoreSettings(Kind.POSTGRES, url, user, password, "", 10, CONNECTION_TIMEOUT, "", "");
    }

    /**
     * The settings in {@code env}.
     *
     * @throws ConfigException naming the first setting that is missing or wrong, never its value
     */
    public static StoreSettings fromEnv(Map<String, String> env) {
        String kind = setting(env, STORE).toLowerCase(Locale.ROOT);
        String url = setting(env, URL);
        String user = setting(env, USER);
        String password = env.getOrDefault(PASSWORD, "");
        String secretId = setting(env, SECRET_ID);
        if (kind.isEmpty() || kind.equals("memory")) {
            for (String name : new String[] {URL, USER, PASSWORD, SECRET_ID}) {
                if (!env.getOrDefault(name, "").isBlank()) {
                    // Silently keeping state in memory would give every instance its own budgets.
                    throw new ConfigException(name + " is set but " + STORE + " is not postgres: set " + STORE
                            + "=postgres to share state in the database, or unset " + name + ".");
                }
            }
            return memory();
        }
        if (!kind.equals("postgres")) {
            throw new ConfigException(STORE + " must be memory (the default: this process only) or postgres "
                    + "(shared by several instances; needs " + URL + ").");
        }
        if (url.isEmpty()) {
            throw new ConfigException(URL + " is not set. With " + STORE + "=postgres, set it to the database, e.g. "
                    + PLAIN_SCHEME + "db.internal:5432/keysafe (see 06-server-proxy/REFERENCE.md).");
        }
        if (url.toLowerCase(Locale.ROOT).contains("password=")) {
            throw new ConfigException(URL + " must not carry a password: URLs are printed and logged. Put it in "
                    + PASSWORD + ", or in Secrets Manager with " + SECRET_ID + ".");
        }
        int poolSize = poolSize(env);
        if (!secretId.isEmpty()) {
            if (!user.isEmpty() || !password.isEmpty()) {
                throw new ConfigException(SECRET_ID + " and " + (user.isEmpty() ? PASSWORD : USER) + " are both "
                        + "set. Keep one source of the database login: the secret, or " + USER + " and " + PASSWORD
                        + ".");
            }
            if (!url.startsWith(SECRET_SCHEME)) {
                throw new ConfigException(URL + " must start with " + SECRET_SCHEME + " when " + SECRET_ID
                        + " is set, so AWS's driver logs in with the secret, e.g. " + SECRET_SCHEME
                        + "db.internal:5432/keysafe.");
            }
            String endpoint = setting(env, "AWS_ENDPOINT_URL_SECRETS_MANAGER");
            return new StoreSettings(Kind.POSTGRES, url, "", "", secretId, poolSize, CONNECTION_TIMEOUT,
                    endpoint.isEmpty() ? setting(env, "AWS_ENDPOINT_URL") : endpoint, setting(env, "AWS_REGION"));
        }
        if (url.startsWith(SECRET_SCHEME)) {
            throw new ConfigException(URL + " uses " + SECRET_SCHEME + " but " + SECRET_ID + " is not set: name the "
                    + "secret that holds the database login, or use " + PLAIN_SCHEME + " with " + USER + " and "
                    + PASSWORD + ".");
        }
        if (!url.startsWith(PLAIN_SCHEME)) {
            throw new ConfigException(URL + " must start with " + PLAIN_SCHEME + " (or " + SECRET_SCHEME + " with "
                    + SECRET_ID + "), e.g. " + PLAIN_SCHEME + "db.internal:5432/keysafe.");
        }
        if (user.isEmpty() || password.isEmpty()) {
            throw new ConfigException((user.isEmpty() ? USER : PASSWORD) + " is not set. With " + STORE
                    + "=postgres, set " + USER + " and " + PASSWORD + " (or " + SECRET_ID + " for a login kept in "
                    + "Secrets Manager).");
        }
        return new StoreSettings(Kind.POSTGRES, url, user, password, "", poolSize, CONNECTION_TIMEOUT, "", "");
    }

    /** A copy that waits at most {@code timeout} for a connection (tests of an outage use a short one). */
    StoreSettings withConnectionTimeout(Duration timeout) {
        return new StoreSettings(kind, url, user, password, secretId, poolSize, timeout, awsEndpoint, awsRegion);
    }

    /**
     * The store these settings describe: for PostgreSQL, a connection pool, the schema migrated,
     * and the rate-limit backend.
     *
     * @throws ConfigException when the database cannot be reached, refuses the login, or cannot
     *                         be migrated; the message names the settings to check
     */
    public Store open() {
        return kind == Kind.MEMORY ? new InMemoryStore() : PostgresStore.open(this);
    }

    public Kind kind() {
        return kind;
    }

    String url() {
        return url;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    String secretId() {
        return secretId;
    }

    int poolSize() {
        return poolSize;
    }

    Duration connectionTimeout() {
        return connectionTimeout;
    }

    String awsEndpoint() {
        return awsEndpoint;
    }

    String awsRegion() {
        return awsRegion;
    }

    private static String setting(Map<String, String> env, String name) {
        return env.getOrDefault(name, "").strip();
    }

    private static int poolSize(Map<String, String> env) {
        String raw = setting(env, POOL_SIZE);
        if (raw.isEmpty()) {
            return 10;
        }
        try {
            int size = Integer.parseInt(raw);
            if (size >= 2 && size <= 200) {
                return size;
            }
        } catch (NumberFormatException ignored) {
            // reported below, like a value out of range
        }
        throw new ConfigException(POOL_SIZE + " must be a whole number from 2 to 200 (default 10).");
    }

    /** The kind and the database's URL and login source; never the password. */
    @Override
    public String toString() {
        if (kind == Kind.MEMORY) {
            return "StoreSettings[memory]";
        }
        return "StoreSettings[postgres " + url + ", " + (secretId.isEmpty() ? "user " + user + ", password (set)"
                : "login from secret " + secretId) + ", pool " + poolSize + "]";
    }
}
