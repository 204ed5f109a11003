package dev.keysafe.testkit.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Plain SQL for tests that look inside a database (an audit table, the proxy's shared state):
 * run a statement, or read rows as text, each row its cells joined by {@code " | "}. A failure is
 * an {@link IllegalStateException} naming the driver's message, so a test fails on it directly.
 */
public final class Sql {

    private Sql() {
    }

    /** Runs {@code sql} on a connection from {@code connect}, then closes it. */
    public static void execute(Callable<Connection> connect, String sql) {
        try (Connection connection = connect.call(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (Exception e) {
            throw failed(e);
        }
    }

    /** The rows {@code sql} returns, as text, on a connection from {@code connect}. */
    public static List<String> rows(Callable<Connection> connect, String sql) {
        List<String> rows = new ArrayList<>();
        try (Connection connection = connect.call(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> cells = new ArrayList<>();
                for (int c = 1; c <= columns; c++) {
                    cells.add(result.getString(c));
                }
                rows.add(String.join(" | ", cells));
            }
        } catch (Exception e) {
            throw failed(e);
        }
        return rows;
    }

    private static IllegalStateException failed(Exception e) {
        return new IllegalStateException("SQL failed: " + e.getMessage(), e);
    }
}
