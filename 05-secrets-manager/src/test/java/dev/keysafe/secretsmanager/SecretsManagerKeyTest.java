package dev.keysafe.secretsmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Reading the key: both shapes of the secret, and every way it can be wrong, named without a value. */
@Execution(ExecutionMode.CONCURRENT)
class SecretsManagerKeyTest {

    private static final SecretsManagerEmulator secrets = Offline.sharedEmulator();

    private final List<String> warnings = new ArrayList<>();

    private SecretsManagerKey keyIn(String secretId) {
        return SecretsManagerKey.from(Offline.env(secrets, null, secretId), warnings::add);
    }

    @Test
    void reads_a_bare_key_from_the_secret() {
        Canary canary = Canary.fresh();
        String id = Offline.newSecretId("bare");
        secrets.createSecret(id, canary.value() + "\n");

        try (SecretsManagerKey key = keyIn(id)) {
            assertThat(key.current().sameKeyAs(ApiKey.of(canary.value()))).as("the planted key, stripped").isTrue();
        }
    }

    @Test
    void reads_the_key_from_the_openai_api_key_field_of_a_json_secret() {
        Canary canary = Canary.fresh();
        String id = Offline.newSecretId("json");
        secrets.createSecret(id, Offline.asJson(canary.value()));

        try (SecretsManagerKey key = keyIn(id)) {
            assertThat(key.current().sameKeyAs(ApiKey.of(canary.value()))).as("the key from the JSON field").isTrue();
        }
    }

    @Test
    void json_without_the_field_fails_naming_the_secret_and_the_field() {
        Canary canary = Canary.fresh();
        String id = Offline.newSecretId("wrong-field");
        secrets.createSecret(id, Json.write(Json.object().put("api_key", canary.value())));

        try (SecretsManagerKey key = keyIn(id)) {
            assertThatThrownBy(key::current).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(id).hasMessageContaining("OPENAI_API_KEY")
                    .satisfies(e -> assertThat(Detectors.inThrowable(canary, e)).isEmpty());
        }
    }

    @Test
    void malformed_json_fails_without_quoting_the_secret() {
        Canary canary = Canary.fresh();
        String id = Offline.newSecretId("malformed");
        secrets.createSecret(id, "{\"OPENAI_API_KEY\": " + canary.value() + "}");

        try (SecretsManagerKey key = keyIn(id)) {
            assertThatThrownBy(key::current).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(id).hasMessageContaining("not valid JSON")
                    .satisfies(e -> assertThat(Detectors.inThrowable(canary, e)).isEmpty());
        }
    }

    @Test
    void an_unknown_secret_fails_naming_the_id_and_the_variable() {
        String id = Offline.newSecretId("never-created");

        try (SecretsManagerKey key = keyIn(id)) {
            assertThatThrownBy(key::current).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(id).hasMessageContaining("OPENAI_SECRET_ID");
        }
    }

    @Test
    void the_secret_id_defaults_to_the_documented_name() {
        Map<String, String> env = new HashMap<>(Offline.env(secrets, null, ""));
        env.remove(SecretsManagerKey.SECRET_ID_VARIABLE);

        try (SecretsManagerKey key = SecretsManagerKey.from(env, warnings::add)) {
            assertThat(key.secretId()).isEqualTo("keysafe/openai-api-key")
                    .isEqualTo(SecretsManagerEmulator.DEMO_SECRET_ID);
        }
    }

    @Test
    void a_missing_region_fails_naming_aws_region() {
        Map<String, String> env = new HashMap<>(Offline.env(secrets, null, "any"));
        env.remove("AWS_REGION");

        assertThatThrownBy(() -> SecretsManagerKey.from(env, warnings::add)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("AWS_REGION is not set");
    }

    @Test
    void the_key_holder_names_the_secret_never_the_key() {
        Canary canary = Canary.fresh();
        String id = Offline.newSecretId("holder");
        secrets.createSecret(id, canary.value());

        try (SecretsManagerKey key = keyIn(id)) {
            assertThat(key.current().fingerprint()).isEqualTo(canary.fingerprint());
            assertThat(key.toString()).contains(id);
            assertThat(Detectors.inObjects(canary, List.of(key, key.current()))).isEmpty();
        }
        assertThat(warnings).isEmpty();
    }
}
