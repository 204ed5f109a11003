package dev.keysafe.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings are checked before anything starts; a wrong one is named with its fix, never its value. */
class ProxyConfigTest {

    static final String ADMIN = "a-long-enough-admin-token-0123456789";

    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("PROXY_ADMIN_TOKEN", ADMIN);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void defaults_bind_to_this_machine_only_on_port_7070_against_openai() {
        ProxyConfig config = ProxyConfig.fromEnv(env());

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.upstreamBaseUrl()).hasToString("https://api.openai.com/v1");
        assertThat(config.corsOrigin()).isEmpty();
        assertThat(config.maxBodyBytes()).isEqualTo(1_048_576);
    }

    @Test
    void missing_admin_token_fails_fast_naming_the_variable() {
        Map<String, String> env = env();
        env.remove("PROXY_ADMIN_TOKEN");

        assertThatThrownBy(() -> ProxyConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PROXY_ADMIN_TOKEN is not set").hasMessageContaining("openssl rand");
    }

    @Test
    void short_admin_token_is_refused_without_echoing_it() {
        assertThatThrownBy(() -> ProxyConfig.fromEnv(env("PROXY_ADMIN_TOKEN", "hunter2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("too short").hasMessageNotContaining("hunter2");
    }

    @Test
    void missing_upstream_key_fails_fast_naming_every_variable_it_can_come_from() {
        assertThatThrownBy(() -> UpstreamKey.sourceFrom(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("OPENAI_API_KEY is not set").hasMessageContaining("OPENAI_API_KEY_FILE")
                .hasMessageContaining("OPENAI_SECRET_ID");
    }

    @Test
    void openai_secret_id_with_another_key_source_is_refused_naming_both_and_no_value() {
        String key = "sk-test-both-" + TestProxy.randomHex(16);

        assertThatThrownBy(() -> UpstreamKey.sourceFrom(Map.of("OPENAI_API_KEY", key, "OPENAI_SECRET_ID", "team/openai")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("OPENAI_API_KEY and OPENAI_SECRET_ID are both set")
                .hasMessageNotContaining(key).hasMessageNotContaining("team/openai");
        assertThatThrownBy(() -> UpstreamKey.sourceFrom(Map.of("OPENAI_API_KEY_FILE", "/run/secrets/openai",
                "OPENAI_SECRET_ID", "team/openai")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("OPENAI_API_KEY_FILE and OPENAI_SECRET_ID are both set");
    }

    @Test
    void aws_settings_that_make_no_secrets_manager_client_are_named_in_one_line() {
        assertThatThrownBy(() -> UpstreamKey.sourceFrom(Map.of("OPENAI_SECRET_ID", "team/openai",
                "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "not a url")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("OPENAI_SECRET_ID is set, but the AWS settings do not make a Secrets Manager client")
                .hasMessageContaining("AWS_ENDPOINT_URL_SECRETS_MANAGER").hasNoCause();
    }

    @Test
    void key_file_is_read_again_on_reload(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("key"), "sk-test-first-0000\n");
        UpstreamKey key = new UpstreamKey(UpstreamKey.sourceFrom(Map.of("OPENAI_API_KEY_FILE", file.toString())));
        Files.writeString(file, "sk-test-second-1111");

        assertThat(key.current().fingerprint()).isEqualTo("...0000");
        assertThat(key.reload()).isTrue();
        assertThat(key.current().fingerprint()).isEqualTo("...1111");
        assertThat(key.reload()).isFalse();
    }

    @Test
    void non_https_upstream_is_refused_unless_it_is_loopback() {
        assertThatThrownBy(() -> ProxyConfig.fromEnv(env("OPENAI_BASE_URL", "http://api.example.com/v1")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("OPENAI_BASE_URL must use https://");

        assertThat(ProxyConfig.fromEnv(env("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1/")).upstreamBaseUrl())
                .hasToString("http://127.0.0.1:8080/v1");
        assertThat(ProxyConfig.fromEnv(env("OPENAI_BASE_URL", "https://gateway.example.com/v1")).upstreamBaseUrl())
                .hasToString("https://gateway.example.com/v1");
    }

    @Test
    void bad_numbers_and_origins_are_named_with_their_range() {
        assertThatThrownBy(() -> ProxyConfig.fromEnv(env("PORT", "70000"))).hasMessageStartingWith("PORT must be");
        assertThatThrownBy(() -> ProxyConfig.fromEnv(env("PROXY_MAX_BODY_BYTES", "lots")))
                .hasMessageStartingWith("PROXY_MAX_BODY_BYTES must be");
        assertThatThrownBy(() -> ProxyConfig.fromEnv(env("PROXY_CORS_ORIGIN", "*")))
                .hasMessageStartingWith("PROXY_CORS_ORIGIN must be one origin");
        assertThatThrownBy(() -> ProxyConfig.fromEnv(env("PROXY_ALERT_WEBHOOK", "http://hooks.example.com/x")))
                .hasMessageStartingWith("PROXY_ALERT_WEBHOOK must be an https:// URL");
        assertThatThrownBy(() -> ProxyConfig.fromEnv(env("PROXY_CHAT_MODEL", "gpt-nonexistent")))
                .hasMessageStartingWith("PROXY_CHAT_MODEL names a model that is not in the price table");
        assertThatThrownBy(() -> ProxyConfig.fromEnv(env("HOST", "127.0.0.1; rm -rf /")))
                .hasMessageStartingWith("HOST is not a host name");
    }

    @Test
    void cors_origin_and_prices_file_are_read(@TempDir Path dir) throws Exception {
        Path prices = Files.writeString(dir.resolve("prices.properties"), "my-model = 1.00 2.00\ngpt-4o-mini = 0.15 0.60\n");

        ProxyConfig config = ProxyConfig.fromEnv(env("PROXY_CORS_ORIGIN", "https://app.example.com",
                "PROXY_PRICES_FILE", prices.toString()));

        assertThat(config.corsOrigin()).hasValue("https://app.example.com");
        assertThat(config.prices().cost("my-model", 1_000_000, 1_000_000)).isEqualTo(3_000_000_000L);
        assertThat(config.prices().knows("gpt-4o")).isFalse();
    }

    @Test
    void to_string_shows_no_admin_token() {
        ProxyConfig config = ProxyConfig.fromEnv(env());

        assertThat(config.toString()).doesNotContain(ADMIN).contains("adminToken=(hash)");
        assertThat(config.isAdminToken(ADMIN)).isTrue();
        assertThat(config.isAdminToken(ADMIN + "x")).isFalse();
        assertThat(config.isAdminToken(null)).isFalse();
    }

    @Test
    void prices_round_up_to_whole_nano_dollars_and_refuse_nonsense() {
        Prices prices = Prices.parse("a = 0.0001 0.15\n", "test");

        assertThat(prices.of("a")).hasValueSatisfying(p -> {
            assertThat(p.inputNanoUsd()).isEqualTo(1);
            assertThat(p.outputNanoUsd()).isEqualTo(150);
        });
        assertThatThrownBy(() -> Prices.parse("a = 1\n", "test")).hasMessageContaining("needs two numbers");
        assertThatThrownBy(() -> Prices.parse("a = -1 2\n", "test")).hasMessageContaining("not a non-negative number");
        assertThat(Prices.defaults().knows("gpt-4o-mini")).isTrue();
    }

    // --- where the state lives: PROXY_STORE and the database settings ---

    static final String DB_URL = "jdbc:postgresql://127.0.0.1:5432/keysafe";
    static final String DB_PASSWORD = "db-password-" + TestProxy.randomHex(8);

    @Test
    void state_stays_in_memory_by_default_and_with_proxy_store_memory() {
        assertThat(StoreSettings.fromEnv(env()).kind()).isEqualTo(StoreSettings.Kind.MEMORY);
        assertThat(StoreSettings.fromEnv(env("PROXY_STORE", "memory")).kind()).isEqualTo(StoreSettings.Kind.MEMORY);
        assertThat(StoreSettings.fromEnv(env()).open()).isInstanceOf(InMemoryStore.class);
    }

    @Test
    void postgres_is_read_from_a_url_a_user_and_a_password_and_prints_no_password() {
        StoreSettings settings = StoreSettings.fromEnv(env("PROXY_STORE", "postgres", "PROXY_DB_URL", DB_URL,
                "PROXY_DB_USER", "keysafe", "PROXY_DB_PASSWORD", DB_PASSWORD, "PROXY_DB_POOL_SIZE", "4"));

        assertThat(settings.kind()).isEqualTo(StoreSettings.Kind.POSTGRES);
        assertThat(settings.poolSize()).isEqualTo(4);
        assertThat(settings.toString()).contains(DB_URL, "user keysafe", "password (set)").doesNotContain(DB_PASSWORD);
    }

    @Test
    void postgres_without_a_url_or_a_login_fails_fast_naming_the_variable() {
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_STORE", "postgres")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_DB_URL is not set");
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_STORE", "postgres", "PROXY_DB_URL", DB_URL)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("PROXY_DB_USER is not set");
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_STORE", "postgres", "PROXY_DB_URL", DB_URL,
                "PROXY_DB_USER", "keysafe"))).hasMessageStartingWith("PROXY_DB_PASSWORD is not set");
    }

    @Test
    void database_settings_without_proxy_store_postgres_are_refused_so_no_instance_keeps_its_own_budgets() {
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_DB_URL", DB_URL)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PROXY_DB_URL is set but PROXY_STORE is not postgres: set PROXY_STORE=postgres to share "
                        + "state in the database, or unset PROXY_DB_URL.");
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_STORE", "redis")))
                .hasMessageStartingWith("PROXY_STORE must be memory (the default: this process only) or postgres");
    }

    @Test
    void a_password_in_the_url_and_a_wrong_scheme_are_refused_without_echoing_them() {
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_STORE", "postgres", "PROXY_DB_URL",
                DB_URL + "?user=keysafe&password=" + DB_PASSWORD)))
                .hasMessageStartingWith("PROXY_DB_URL must not carry a password").hasMessageNotContaining(DB_PASSWORD);
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_STORE", "postgres", "PROXY_DB_URL",
                "postgres://keysafe@db/keysafe", "PROXY_DB_USER", "u", "PROXY_DB_PASSWORD", DB_PASSWORD)))
                .hasMessageStartingWith("PROXY_DB_URL must start with jdbc:postgresql://")
                .hasMessageNotContaining(DB_PASSWORD);
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_STORE", "postgres", "PROXY_DB_URL", DB_URL,
                "PROXY_DB_USER", "u", "PROXY_DB_PASSWORD", DB_PASSWORD, "PROXY_DB_POOL_SIZE", "1000")))
                .hasMessage("PROXY_DB_POOL_SIZE must be a whole number from 2 to 200 (default 10).");
    }

    @Test
    void a_login_from_secrets_manager_needs_its_url_scheme_and_no_second_login() {
        String secretUrl = "jdbc-secretsmanager:postgresql://127.0.0.1:5432/keysafe";
        StoreSettings settings = StoreSettings.fromEnv(env("PROXY_STORE", "postgres", "PROXY_DB_URL", secretUrl,
                "PROXY_DB_SECRET_ID", "team/proxy-db"));

        assertThat(settings.toString()).contains("login from secret team/proxy-db");
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_STORE", "postgres", "PROXY_DB_URL", secretUrl,
                "PROXY_DB_SECRET_ID", "team/proxy-db", "PROXY_DB_PASSWORD", DB_PASSWORD)))
                .hasMessageStartingWith("PROXY_DB_SECRET_ID and PROXY_DB_PASSWORD are both set")
                .hasMessageNotContaining(DB_PASSWORD);
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_STORE", "postgres", "PROXY_DB_URL", DB_URL,
                "PROXY_DB_SECRET_ID", "team/proxy-db")))
                .hasMessageStartingWith("PROXY_DB_URL must start with jdbc-secretsmanager:postgresql:// when "
                        + "PROXY_DB_SECRET_ID is set");
        assertThatThrownBy(() -> StoreSettings.fromEnv(env("PROXY_STORE", "postgres", "PROXY_DB_URL", secretUrl,
                "PROXY_DB_USER", "u", "PROXY_DB_PASSWORD", DB_PASSWORD)))
                .hasMessageStartingWith("PROXY_DB_URL uses jdbc-secretsmanager:postgresql:// but PROXY_DB_SECRET_ID "
                        + "is not set");
    }
}
