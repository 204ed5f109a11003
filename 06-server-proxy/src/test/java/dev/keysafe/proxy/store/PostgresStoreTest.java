package dev.keysafe.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ConfigException;
import dev.keysafe.proxy.app.TestProxy;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL store keeps every promise of {@link StoreContract}, in a real database: one
 * database for the class, emptied before each test. And what is PostgreSQL's own: the schema
 * comes from Flyway, a second instance's start finds it applied, a bad login stops the start.
 */
class PostgresStoreTest extends StoreContract {

    static ProxyDatabase database;
    static Store store;

    @BeforeAll
    static void open() {
        database = ProxyDatabase.create();
        store = database.settings().open();
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @BeforeEach
    void empty() {
        database.truncate();
    }

    @Override
    Store store() {
        return store;
    }

    @Override
    int racingRounds() {
        // 16 threads x 150 attempts outrun the 333 reservations the budget allows.
        return 150;
    }

    @Test
    void flyway_creates_the_schema_and_a_second_instance_finds_it_applied() {
        try (Store second = database.settings().open()) {
            assertThat(second).isInstanceOf(PostgresStore.class);
            assertThat(database.tables()).containsExactlyInAnyOrder("audit_log", "budgets", "client_tokens",
                    "flyway_schema_history", "rate_buckets", "usage_ledger", "reservations", "request_minutes",
                    "store_counters");
            assertThat(database.query("SELECT version, description, success FROM flyway_schema_history "
                    + "WHERE version IS NOT NULL ORDER BY installed_rank")).containsExactly("1 | shared state | t",
                    "2 | reservations minute counts retention | t");
            // What one instance writes, the other reads.
            store.addToken(token("tok_shared", 10));
            assertThat(second.token("tok_shared")).isPresent();
        }
    }

    @Test
    void a_wrong_password_stops_the_start_in_one_line_naming_the_settings_not_the_password() {
        String wrong = "not-the-password-" + TestProxy.randomHex(8);

        assertThatThrownBy(() -> StoreSettings.postgres(database.url(), database.user, wrong).open())
                .isInstanceOf(ConfigException.class)
                .hasMessage("The database refused the proxy's login (SQLState 28P01): check PROXY_DB_USER and "
                        + "PROXY_DB_PASSWORD.")
                .satisfies(e -> assertThat(List.of(e.getMessage())).noneMatch(m -> m.contains(wrong)));
    }

    @Test
    void an_unreachable_database_stops_the_start_in_one_line_naming_the_url() {
        // A port nobody listens on: connection refused at once.
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        assertThatThrownBy(() -> StoreSettings.postgres(database.url(closed), database.user,
                database.password.value()).withConnectionTimeout(java.time.Duration.ofMillis(500)).open())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("The proxy's database cannot be reached (SQLState 08001): check PROXY_DB_URL")
                .hasMessageNotContaining(database.password.value());
    }
}
