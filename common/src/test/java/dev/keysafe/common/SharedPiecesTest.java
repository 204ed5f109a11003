package dev.keysafe.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SharedPiecesTest {

    @Test
    void fingerprint_shows_the_last_four_characters_only() {
        assertThat(Fingerprint.of("abcdefghijkl")).isEqualTo("...ijkl");
        assertThat(ApiKey.of("abcdefghijkl").fingerprint()).isEqualTo(Fingerprint.of("abcdefghijkl"));
    }

    @Test
    void fingerprint_of_a_short_or_missing_secret_shows_nothing_of_it() {
        assertThat(Fingerprint.of("abcdefgh")).isEqualTo(Fingerprint.TOO_SHORT);
        assertThat(Fingerprint.of(null)).isEqualTo(Fingerprint.TOO_SHORT);
    }

    @Test
    void sha256_matches_the_published_test_vector() {
        assertThat(Sha256.hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Sha256.sameDigest(Sha256.of("abc"), Sha256.of("abc"))).isTrue();
        assertThat(Sha256.sameDigest(Sha256.of("abc"), Sha256.of("abd"))).isFalse();
    }

    @Test
    void strict_reader_accepts_one_object() throws Json.Malformed {
        ObjectNode body = Json.readObject("{\"model\":\"m\",\"n\":2}".getBytes(StandardCharsets.UTF_8));
        assertThat(body.path("model").asText()).isEqualTo("m");
    }

    @Test
    void strict_reader_refuses_duplicates_trailing_content_and_non_objects() {
        for (String bad : new String[] {"{\"model\":\"a\",\"model\":\"b\"}", "{\"a\":1} {}", "[1]", "", "nope"}) {
            assertThatThrownBy(() -> Json.readObject(bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad).isInstanceOf(Json.Malformed.class)
                    .hasMessageNotContaining("model\":");
        }
    }

    @Test
    void json_is_written_with_escaping_never_by_hand() {
        assertThat(Json.write(Json.object().put("q", "a \"quoted\" word"))).isEqualTo("{\"q\":\"a \\\"quoted\\\" word\"}");
    }

    @Test
    void launcher_usage_code_is_not_a_module_code() {
        assertThat(ExitCode.KIT_USAGE).isNotIn(ExitCode.OK, ExitCode.FAILED, ExitCode.CONFIG, ExitCode.AUTH,
                ExitCode.RATE_LIMITED, ExitCode.UPSTREAM);
    }
}
