package dev.keysafe.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ConfigException;
import dev.keysafe.proxy.app.TestProxy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where the state lives (PROXY_STORE and the database settings), checked before anything starts;
 * a wrong one is named with its fix, never its value. (Moved from the former ProxyConfigTest.)
 */
class StoreSettingsTest {

    static final String DB_URL = "jdbc:postgresql://127.0.0.1:5432/keysafe";
    static final String DB_PASSWORD = "db-password-" + TestProxy.randomHex(8);

    @Test
    void state_stays_in_memory_by_default_and_with_proxy_store_memory() {
        assertThat(StoreSettings.fromEnv(Map.of()).kind()).isEqualTo(StoreSettings.Kind.MEMORY);
        assertThat(StoreSettings.fromEnv(Map.of("PROXY_STORE", "memory")).kind()).isEqualTo(StoreSettings.Kind.MEMORY);
        assertThat(StoreSettings.fromEnv(Map.of()).open()).isInstanceOf(InMemoryStore.class);
    }

    @Test
    void postgres_is_read_from_a_url_a_user_and_a_password_and_prints_no_password() {
        StoreSettings settings = StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres", "PROXY_DB_URL", DB_URL,
                "PROXY_DB_USER", "keysafe", "PROXY_DB_PASSWORD", DB_PASSWORD, "PROXY_DB_POOL_SIZE", "4"));

        assertThat(settings.kind()).isEqualTo(StoreSettings.Kind.POSTGRES);
        assertThat(settings.poolSize()).isEqualTo(4);
        assertThat(settings.toString()).contains(DB_URL, "user keysafe", "password (set)").doesNotContain(DB_PASSWORD);
    }

    @Test
    void postgres_without_a_url_or_a_login_fails_fast_naming_the_variable() {
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_DB_URL is not set");
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres", "PROXY_DB_URL", DB_URL)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_DB_USER is not set");
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres", "PROXY_DB_URL", DB_URL,
                "PROXY_DB_USER", "keysafe"))).hasMessageStartingWith("PROXY_DB_PASSWORD is not set");
    }

    @Test
    void database_settings_without_proxy_store_postgres_are_refused_so_no_instance_keeps_its_own_budgets() {
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_DB_URL", DB_URL)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PROXY_DB_URL is set but PROXY_STORE is not postgres: set PROXY_STORE=postgres to share "
                        + "state in the database, or unset PROXY_DB_URL.");
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_STORE", "redis")))
                .hasMessageStartingWith("PROXY_STORE must be memory (the default: this process only) or postgres");
    }

    @Test
    void a_password_in_the_url_and_a_wrong_scheme_are_refused_without_echoing_them() {
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres", "PROXY_DB_URL",
                DB_URL + "?user=keysafe&password=" + DB_PASSWORD)))
                .hasMessageStartingWith("PROXY_DB_URL must not carry a password").hasMessageNotContaining(DB_PASSWORD);
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres", "PROXY_DB_URL",
                "postgres://keysafe@db/keysafe", "PROXY_DB_USER", "u", "PROXY_DB_PASSWORD", DB_PASSWORD)))
                .hasMessageStartingWith("PROXY_DB_URL must start with jdbc:postgresql://")
                .hasMessageNotContaining(DB_PASSWORD);
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres", "PROXY_DB_URL", DB_URL,
                "PROXY_DB_USER", "u", "PROXY_DB_PASSWORD", DB_PASSWORD, "PROXY_DB_POOL_SIZE", "1000")))
                .hasMessage("PROXY_DB_POOL_SIZE must be a whole number from 2 to 200 (default 10).");
    }

    @Test
    void a_login_from_secrets_manager_needs_its_url_scheme_and_no_second_login() {
        String secretUrl = "jdbc-secretsmanager:postgresql://127.0.0.1:5432/keysafe";
        StoreSettings settings = StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres", "PROXY_DB_URL", secretUrl,
                "PROXY_DB_SECRET_ID", "team/proxy-db"));

        assertThat(settings.toString()).contains("login from secret team/proxy-db");
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres", "PROXY_DB_URL", secretUrl,
                "PROXY_DB_SECRET_ID", "team/proxy-db", "PROXY_DB_PASSWORD", DB_PASSWORD)))
                .hasMessageStartingWith("PROXY_DB_SECRET_ID and PROXY_DB_PASSWORD are both set")
                .hasMessageNotContaining(DB_PASSWORD);
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres", "PROXY_DB_URL", DB_URL,
                "PROXY_DB_SECRET_ID", "team/proxy-db")))
                .hasMessageStartingWith("PROXY_DB_URL must start with jdbc-secretsmanager:postgresql:// when "
                        + "PROXY_DB_SECRET_ID is set");
        assertThatThrownBy(() -> StoreSettings.fromEnv(Map.of("PROXY_STORE", "postgres", "PROXY_DB_URL", secretUrl,
                "PROXY_DB_USER", "u", "PROXY_DB_PASSWORD", DB_PASSWORD)))
                .hasMessageStartingWith("PROXY_DB_URL uses jdbc-secretsmanager:postgresql:// but PROXY_DB_SECRET_ID "
                        + "is not set");
    }
}
