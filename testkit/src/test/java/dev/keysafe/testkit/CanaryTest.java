package dev.keysafe.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CanaryTest {

    private final Canary canary = Canary.fresh();

    @Test
    void fresh_canaries_look_like_modern_keys_but_no_scanner_rule_matches_them() {
        assertThat(canary.value()).startsWith("sk-proj-").hasSize(8 + 64);
        assertThat(KeyPatterns.hasRealMarker(canary.value())).isFalse();
        assertThat(KeyPatterns.all().formsIn(canary.value())).isEmpty();
        assertThat(Canary.fresh().value()).isNotEqualTo(canary.value());
    }

    @Test
    void the_plain_key_is_found_anywhere_in_text() {
        assertThat(canary.formsIn("config: {apiKey=" + canary.value() + "}")).contains("plain");
    }

    @Test
    void base64_is_found_whatever_bytes_precede_the_key() {
        for (String prefix : new String[] {"", "x", "xy", "Bearer ", "user:"}) {
            String blob = Base64.getEncoder().encodeToString((prefix + canary.value() + "\"}").getBytes(StandardCharsets.UTF_8));
            assertThat(canary.formsIn("Authorization: Basic " + blob)).as("prefix '%s'", prefix)
                    .anyMatch(form -> form.startsWith("base64"));
        }
    }

    @Test
    void url_encoded_and_json_escaped_forms_are_found() {
        String query = "?key=" + URLEncoder.encode(canary.value(), StandardCharsets.UTF_8);
        String json = "{\"key\":\"" + canary.value().replace("/", "\\/") + "\"}";

        assertThat(canary.formsIn(query)).isNotEmpty();
        assertThat(canary.formsIn(json)).isNotEmpty();
    }

    @Test
    void a_key_split_across_a_line_is_found() {
        String value = canary.value();
        String wrapped = "key = " + value.substring(0, 30) + "\r\n    " + value.substring(30);

        assertThat(canary.formsIn(wrapped)).containsExactly("split across a line");
    }

    @Test
    void openais_masked_echo_is_found_with_any_number_of_asterisks() {
        String value = canary.value();
        String echo = "Incorrect API key provided: " + value.substring(0, 8) + "**************"
                + value.substring(value.length() - 4) + ".";

        assertThat(canary.formsIn(echo)).containsExactly("masked (OpenAI 401 echo)");
        assertThat(canary.formsIn(canary.maskedForm())).containsExactly("masked (OpenAI 401 echo)");
    }

    @Test
    void text_without_the_key_has_no_forms_even_with_its_fingerprint() {
        String text = "using key " + canary.fingerprint() + " and " + Canary.fresh().value();

        assertThat(canary.formsIn(text)).isEmpty();
    }

    @Test
    void to_string_shows_the_fingerprint_only() {
        assertThat(canary.toString()).contains(canary.fingerprint()).doesNotContain(canary.value());
        assertThat(canary.searchForms()).containsKeys("plain", "split across a line", "masked (OpenAI 401 echo)");
    }

    @Test
    void a_real_shaped_string_is_refused_as_a_canary() {
        String realShaped = "sk-proj-" + "a".repeat(20) + KeyPatterns.REAL_MARKER + "b".repeat(20);

        assertThatThrownBy(() -> Canary.of(realShaped)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(realShaped);
    }
}
