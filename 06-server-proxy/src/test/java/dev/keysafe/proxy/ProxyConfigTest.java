package dev.keysafe.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lesson's settings are checked before anything starts; a wrong one is named with its fix, never its value. */
class ProxyConfigTest {

    @Test
    void defaults_are_openai_a_mebibyte_a_minute_to_start_and_half_a_minute_of_silence() {
        ProxyConfig config = ProxyConfig.fromEnv(Map.of());

        assertThat(config.upstreamBaseUrl()).hasToString("https://api.openai.com/v1");
        assertThat(config.maxBodyBytes()).isEqualTo(1_048_576);
        assertThat(config.upstreamTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.streamIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void non_https_upstream_is_refused_unless_it_is_loopback() {
        assertThatThrownBy(() -> ProxyConfig.fromEnv(Map.of("OPENAI_BASE_URL", "http://api.example.com/v1")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("OPENAI_BASE_URL must use https://");

        assertThat(ProxyConfig.fromEnv(Map.of("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1/")).upstreamBaseUrl())
                .hasToString("http://127.0.0.1:8080/v1");
        assertThat(ProxyConfig.fromEnv(Map.of("OPENAI_BASE_URL", "https://gateway.example.com/v1")).upstreamBaseUrl())
                .hasToString("https://gateway.example.com/v1");
    }

    @Test
    void bad_numbers_are_named_with_their_range_and_never_echoed() {
        assertThatThrownBy(() -> ProxyConfig.fromEnv(Map.of("PROXY_MAX_BODY_BYTES", "lots")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("PROXY_MAX_BODY_BYTES must be a whole number from 1024 to 67108864 (default 1048576).");
        assertThatThrownBy(() -> ProxyConfig.fromEnv(Map.of("PROXY_UPSTREAM_TIMEOUT_SECONDS", "9999")))
                .hasMessage("PROXY_UPSTREAM_TIMEOUT_SECONDS must be a whole number from 1 to 600 (default 60).");
        assertThatThrownBy(() -> ProxyConfig.fromEnv(Map.of("PROXY_STREAM_IDLE_TIMEOUT_SECONDS", "0")))
                .hasMessage("PROXY_STREAM_IDLE_TIMEOUT_SECONDS must be a whole number from 1 to 600 (default 30).");
        assertThatThrownBy(() -> ProxyConfig.fromEnv(Map.of("PROXY_STREAM_IDLE_TIMEOUT_SECONDS", "99999999999")))
                .hasMessage("PROXY_STREAM_IDLE_TIMEOUT_SECONDS must be a whole number from 1 to 600 (default 30).");
        assertThat(ProxyConfig.fromEnv(Map.of("PROXY_MAX_BODY_BYTES", " 2048 ")).maxBodyBytes()).isEqualTo(2048);
        assertThat(ProxyConfig.fromEnv(Map.of("PROXY_STREAM_IDLE_TIMEOUT_SECONDS", "3")).streamIdleTimeout())
                .isEqualTo(Duration.ofSeconds(3));
    }
}
