package dev.keysafe.proxy.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

/** The small JDBC helpers {@link PostgresStore} builds its statements with. */
final class Jdbc {

    private Jdbc() {
    }

    /** One piece of work on a pooled connection. */
    @FunctionalInterface
    interface Work<T> {
        T on(Connection connection) throws SQLException;
    }

    /** How one row becomes a value. */
    @FunctionalInterface
    interface Row<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** A statement with {@code values} bound in order (an {@link Instant} as a timestamp). */
    static PreparedStatement prepare(Connection connection, String sql, Object... values) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i] instanceof Instant at ? Timestamp.from(at) : values[i]);
        }
        return statement;
    }

    static <T> List<T> oldestFirst(List<T> newestFirst) {
        Collections.reverse(newestFirst);
        return newestFirst;
    }
}
