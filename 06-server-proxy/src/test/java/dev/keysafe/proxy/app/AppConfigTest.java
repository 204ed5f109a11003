package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full server's settings are checked before anything starts; a wrong one is named with its
 * fix, never its value. (Moved from the former ProxyConfigTest.)
 */
class AppConfigTest {

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
        AppConfig config = AppConfig.fromEnv(env());

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.proxy().upstreamBaseUrl()).hasToString("https://api.openai.com/v1");
        assertThat(config.corsOrigin()).isEmpty();
        assertThat(config.proxy().maxBodyBytes()).isEqualTo(1_048_576);
    }

    @Test
    void missing_admin_token_fails_fast_naming_the_variable() {
        Map<String, String> env = env();
        env.remove("PROXY_ADMIN_TOKEN");

        assertThatThrownBy(() -> AppConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("PROXY_ADMIN_TOKEN is not set").hasMessageContaining("openssl rand");
    }

    @Test
    void short_admin_token_is_refused_without_echoing_it() {
        assertThatThrownBy(() -> AppConfig.fromEnv(env("PROXY_ADMIN_TOKEN", "hunter2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("too short").hasMessageNotContaining("hunter2");
    }

    @Test
    void bad_numbers_and_origins_are_named_with_their_range() {
        assertThatThrownBy(() -> AppConfig.fromEnv(env("PORT", "70000"))).hasMessageStartingWith("PORT must be");
        assertThatThrownBy(() -> AppConfig.fromEnv(env("PROXY_MAX_BODY_BYTES", "lots")))
                .hasMessageStartingWith("PROXY_MAX_BODY_BYTES must be");
        assertThatThrownBy(() -> AppConfig.fromEnv(env("PROXY_CORS_ORIGIN", "*")))
                .hasMessageStartingWith("PROXY_CORS_ORIGIN must be one origin");
        assertThatThrownBy(() -> AppConfig.fromEnv(env("PROXY_ALERT_WEBHOOK", "http://hooks.example.com/x")))
                .hasMessageStartingWith("PROXY_ALERT_WEBHOOK must be an https:// URL");
        assertThatThrownBy(() -> AppConfig.fromEnv(env("PROXY_CHAT_MODEL", "gpt-nonexistent")))
                .hasMessageStartingWith("PROXY_CHAT_MODEL names a model that is not in the price table");
        assertThatThrownBy(() -> AppConfig.fromEnv(env("HOST", "127.0.0.1; rm -rf /")))
                .hasMessageStartingWith("HOST is not a host name");
    }

    @Test
    void cors_origin_and_prices_file_are_read(@TempDir Path dir) throws Exception {
        Path prices = Files.writeString(dir.resolve("prices.properties"), "my-model = 1.00 2.00\ngpt-4o-mini = 0.15 0.60\n");

        AppConfig config = AppConfig.fromEnv(env("PROXY_CORS_ORIGIN", "https://app.example.com",
                "PROXY_PRICES_FILE", prices.toString()));

        assertThat(config.corsOrigin()).hasValue("https://app.example.com");
        assertThat(config.prices().cost("my-model", 1_000_000, 1_000_000)).isEqualTo(3_000_000_000L);
        assertThat(config.prices().knows("gpt-4o")).isFalse();
    }

    @Test
    void to_string_shows_no_admin_token() {
        AppConfig config = AppConfig.fromEnv(env());

        assertThat(config.toString()).doesNotContain(ADMIN).contains("adminToken=(hash)");
        assertThat(config.isAdminToken(ADMIN)).isTrue();
        assertThat(config.isAdminToken(ADMIN + "x")).isFalse();
        assertThat(config.isAdminToken(null)).isFalse();
    }
}
