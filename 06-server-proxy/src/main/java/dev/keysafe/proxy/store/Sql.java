package dev.keysafe.proxy.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Statements on the PostgreSQL store's pool, one at a time on a pooled connection: values bound in
 * order (an {@link Instant} as a timestamp), rows read by a function. Every failure goes to the
 * store, which alone decides whether the database is unreachable (503) or a statement is wrong, and
 * every success tells it the database answers.
 */
final class Sql {

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

    private final HikariDataSource pool;
    private final Function<Exception, RuntimeException> failure;
    private final Runnable answered;

    Sql(HikariDataSource pool, Function<Exception, RuntimeException> failure, Runnable answered) {
        this.pool = pool;
        this.failure = failure;
        this.answered = answered;
    }

    <T> T run(Work<T> work) {
        T result;
        try (Connection connection = pool.getConnection()) {
            result = work.on(connection);
        } catch (SQLException | RuntimeException e) {
            throw failure.apply(e);
        }
        answered.run();
        return result;
    }

    /**
     * {@code work} that reaches the database through a library's own statements (Bucket4j's), its
     * failure and its success told to the store as a statement's are.
     */
    <T> T around(Supplier<T> work) {
        T result;
        try {
            result = work.get();
        } catch (RuntimeException e) {
            throw failure.apply(e);
        }
        answered.run();
        return result;
    }

    /** A statement with {@code values} bound in order (an {@link Instant} as a timestamp). */
    static PreparedStatement prepare(Connection connection, String sql, Object... values) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i] instanceof Instant at ? Timestamp.from(at) : values[i]);
        }
        return statement;
    }

    /** Runs one statement; the rows it changed. */
    int update(String sql, Object... values) {
        return run(connection -> {
            try (PreparedStatement statement = prepare(connection, sql, values)) {
                return statement.executeUpdate();
            }
        });
    }

    /** Every row one query answers, each read by {@code row}. */
    <T> List<T> query(String sql, Row<T> row, Object... values) {
        return run(connection -> {
            try (PreparedStatement select = prepare(connection, sql, values); ResultSet rows = select.executeQuery()) {
                List<T> all = new ArrayList<>();
                while (rows.next()) {
                    all.add(row.read(rows));
                }
                return all;
            }
        });
    }

    /** {@code newestFirst}, reversed in place: a page read newest first, shown in time order. */
    static <T> List<T> oldestFirst(List<T> newestFirst) {
        Collections.reverse(newestFirst);
        return newestFirst;
    }
}
