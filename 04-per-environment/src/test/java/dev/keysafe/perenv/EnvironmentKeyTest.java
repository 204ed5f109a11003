package dev.keysafe.perenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Detectors;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which key an environment gets: its own, or none; never another's, never a shared one. */
class EnvironmentKeyTest {

    private final Canary dev = Canary.fresh();
    private final Canary staging = Canary.fresh();
    private final Canary prod = Canary.fresh();
    private final Map<String, String> all = Map.of("OPENAI_API_KEY_DEV", dev.value(),
            "OPENAI_API_KEY_STAGING", staging.value(), "OPENAI_API_KEY_PROD", prod.value());

    @Test
    void each_environment_gets_its_own_key() {
        assertThat(EnvironmentKey.from(all, Environment.DEVELOPMENT).sameKeyAs(ApiKey.of(dev.value()))).isTrue();
        assertThat(EnvironmentKey.from(all, Environment.STAGING).sameKeyAs(ApiKey.of(staging.value()))).isTrue();
        assertThat(EnvironmentKey.from(all, Environment.PRODUCTION).sameKeyAs(ApiKey.of(prod.value()))).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Environment.class)
    void missing_key_fails_naming_its_variable_even_when_every_other_key_is_set(Environment chosen) {
        Canary plain = Canary.fresh();
        Map<String, String> others = new java.util.HashMap<>(all);
        others.remove(chosen.keyVariable());
        others.put("OPENAI_API_KEY", plain.value());

        Throwable thrown = catchThrowable(() -> EnvironmentKey.from(others, chosen));

        assertThat(thrown).as("the error thrown").isNotNull();
        for (Canary key : new Canary[] {dev, staging, prod, plain}) {
            assertThat(Detectors.inThrowable(key, thrown)).isEmpty();
        }
        assertThat(thrown).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(chosen.keyVariable() + " is not set, and ENVIRONMENT=" + chosen.label());
    }

    @Test
    void blank_key_counts_as_missing() {
        Throwable thrown = catchThrowable(() -> EnvironmentKey.from(Map.of("OPENAI_API_KEY_PROD", "  "),
                Environment.PRODUCTION));

        assertThat(thrown).isInstanceOf(ConfigException.class).hasMessageContaining("OPENAI_API_KEY_PROD is not set");
    }

    @Test
    void same_key_in_two_other_environments_is_refused_too() {
        Map<String, String> shared = Map.of("OPENAI_API_KEY_DEV", dev.value(),
                "OPENAI_API_KEY_STAGING", prod.value(), "OPENAI_API_KEY_PROD", " " + prod.value() + "\n");

        Throwable thrown = catchThrowable(() -> EnvironmentKey.from(shared, Environment.DEVELOPMENT));

        assertThat(thrown).as("the error thrown").isNotNull();
        assertThat(Detectors.inThrowable(prod, thrown)).isEmpty();
        assertThat(thrown).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("OPENAI_API_KEY_STAGING and OPENAI_API_KEY_PROD hold the same key ("
                        + prod.fingerprint() + ")");
    }

    @Test
    void same_key_as_the_chosen_environment_is_refused() {
        Map<String, String> shared = Map.of("OPENAI_API_KEY_DEV", staging.value(),
                "OPENAI_API_KEY_STAGING", staging.value());

        Throwable thrown = catchThrowable(() -> EnvironmentKey.from(shared, Environment.STAGING));

        assertThat(thrown).as("the error thrown").isNotNull();
        assertThat(Detectors.inThrowable(staging, thrown)).isEmpty();
        assertThat(thrown).isInstanceOf(ConfigException.class)
                .hasMessageContaining("OPENAI_API_KEY_DEV and OPENAI_API_KEY_STAGING hold the same key");
    }

    @Test
    void the_key_holder_prints_only_its_fingerprint() {
        ApiKey key = EnvironmentKey.from(all, Environment.STAGING);

        assertThat(staging.formsIn(String.valueOf(key))).isEmpty();
        assertThat(String.valueOf(key)).contains(staging.fingerprint());
    }
}
