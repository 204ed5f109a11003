package dev.keysafe.secretsmanager.jdbc;

import dev.keysafe.common.ConfigException;

/**
 * AWS's JDBC driver for PostgreSQL that logs in with a secret from Secrets Manager: the database
 * password is never in the environment, and a rotated password is picked up on the next
 * connection. The kit's one place that loads it (05's audit log, 06's PostgreSQL store).
 */
public final class SecretsManagerDriver {

    /** The driver's class, registered with {@link java.sql.DriverManager} when it loads. */
    public static final String CLASS_NAME = "com.amazonaws.secretsmanager.sql.AWSSecretsManagerPostgreSQLDriver";
    /** The URL scheme the driver answers to; the rest is an ordinary PostgreSQL URL. */
    public static final String URL_PREFIX = "jdbc-secretsmanager:postgresql://";

    private SecretsManagerDriver() {
    }

    /**
     * Loads the driver. AWS's driver builds its own Secrets Manager client when its class loads,
     * from system properties, so a local endpoint (an emulator) is set first when both
     * {@code endpoint} and {@code region} are given; otherwise the standard AWS settings apply.
     *
     * @param purpose what the driver is for, for the message ("the audit database")
     * @throws ConfigException when the driver cannot start; the message names no value
     */
    public static void load(String endpoint, String region, String purpose) {
        if (!endpoint.isEmpty() && !region.isEmpty()) {
            System.setProperty("drivers.vpcEndpointUrl", endpoint);
            System.setProperty("drivers.vpcEndpointRegion", region);
        }
        try {
            Class.forName(CLASS_NAME);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException("The driver for " + purpose + " could not start ("
                    + e.getClass().getSimpleName() + "): check AWS_REGION.");
        }
    }
}
