package dev.keysafe.proxy.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ConfigException;
import dev.keysafe.proxy.app.TestProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the server's key comes from (OPENAI_API_KEY, OPENAI_API_KEY_FILE, OPENAI_SECRET_ID): one
 * source, named when missing or doubled, never with its value. (Moved from the former ProxyConfigTest.)
 */
class UpstreamKeyTest {

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
    void a_key_file_that_holds_no_key_stops_the_start_naming_the_variable_and_no_content(@TempDir Path dir)
            throws Exception {
        String secretish = "sk-test-inside-json-" + TestProxy.randomHex(8);
        for (String content : new String[] {"", "  \n", "{\"key\": \"" + secretish + "\"}", "sk-one\nsk-two-0000000000",
                "short-key"}) {
            Path file = Files.writeString(dir.resolve("key"), content);
            UpstreamKey.Source source = UpstreamKey.sourceFrom(Map.of("OPENAI_API_KEY_FILE", file.toString()));

            assertThatThrownBy(source::load).as("%s", content.length()).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("OPENAI_API_KEY_FILE names a file that is empty or does not hold one key")
                    .hasMessageNotContaining(secretish).hasMessageNotContaining(dir.toString());
        }
        assertThatThrownBy(() -> new UpstreamKey(UpstreamKey.sourceFrom(Map.of("OPENAI_API_KEY_FILE",
                dir.resolve("missing").toString())))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("OPENAI_API_KEY_FILE names a file that cannot be read");
    }
}
