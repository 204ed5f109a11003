package dev.keysafe.perenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keysafe.common.ConfigException;
import dev.keysafe.testkit.Canary;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How ENVIRONMENT picks an environment, and the variable each one reads its key from. */
class EnvironmentTest {

    @Test
    void each_environment_reads_its_own_variable() {
        assertThat(Environment.DEVELOPMENT.keyVariable()).isEqualTo("OPENAI_API_KEY_DEV");
        assertThat(Environment.STAGING.keyVariable()).isEqualTo("OPENAI_API_KEY_STAGING");
        assertThat(Environment.PRODUCTION.keyVariable()).isEqualTo("OPENAI_API_KEY_PROD");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void unset_or_blank_environment_means_development(String value) {
        assertThat(Environment.from(Map.of())).isEqualTo(Environment.DEVELOPMENT);
        assertThat(Environment.from(Map.of("ENVIRONMENT", value))).isEqualTo(Environment.DEVELOPMENT);
    }

    @Test
    void names_are_read_in_any_letter_case_and_without_surrounding_space() {
        assertThat(Environment.from(Map.of("ENVIRONMENT", "staging"))).isEqualTo(Environment.STAGING);
        assertThat(Environment.from(Map.of("ENVIRONMENT", " Production "))).isEqualTo(Environment.PRODUCTION);
        assertThat(Environment.from(Map.of("ENVIRONMENT", "DEVELOPMENT"))).isEqualTo(Environment.DEVELOPMENT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod", "dev", "qa", "stage"})
    void unknown_environment_is_an_error_listing_the_valid_ones(String value) {
        Throwable thrown = catchThrowable(() -> Environment.from(Map.of("ENVIRONMENT", value)));

        assertThat(thrown).isInstanceOf(ConfigException.class)
                .hasMessage("ENVIRONMENT=" + value + " is not a known environment. Use one of: development, "
                        + "staging, production (unset means development).");
    }

    @Test
    void a_key_pasted_into_environment_is_not_repeated_in_the_error() {
        Canary key = Canary.fresh();

        Throwable thrown = catchThrowable(() -> Environment.from(Map.of("ENVIRONMENT", key.value())));

        assertThat(thrown).as("the error thrown").isNotNull();
        assertThat(key.formsIn(String.valueOf(thrown.getMessage()))).isEmpty();
        assertThat(thrown).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ENVIRONMENT is not a known environment. Use one of:");
    }
}
