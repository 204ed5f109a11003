package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.proxy.key.SecretsManagerSource;
import dev.keysafe.proxy.key.UpstreamKey;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import org.junit.jupiter.api.Test;

/**
 * The leak contract of {@link ProxyLeakIT}, every check again, with the key read from AWS Secrets
 * Manager (OPENAI_SECRET_ID, against the kit's emulator): the first fetch, the cache asked on every
 * call, the fetch on {@code POST /admin/rotate} and the fetch after the upstream's 401 all run with
 * every logger (the AWS SDK's included) at TRACE. The secret holds the canary as JSON, so the key
 * travels JSON-escaped too, and that form is searched as well.
 */
class SecretsManagerLeakIT extends ProxyLeakIT {

    static final String SECRET_ID = "keysafe/openai-api-key";

    SecretsManagerEmulator secrets;

    @Override
    UpstreamKey.Source startKeySource() {
        secrets = SecretsManagerEmulator.start();
        secrets.createSecret(SECRET_ID, "{\"OPENAI_API_KEY\":\"" + KEY.value() + "\",\"owner\":\"leak-test\"}");
        return UpstreamKey.sourceFrom(TestProxy.secretsManagerEnv(secrets, SECRET_ID));
    }

    @Override
    void stopKeySource() {
        ((SecretsManagerSource) keySource).close();
        secrets.close();
    }

    @Test
    void the_key_under_test_came_from_secrets_manager() {
        assertThat(keySource).isInstanceOf(SecretsManagerSource.class);
        assertThat(secrets.calls("GetSecretValue")).as("GetSecretValue calls").isPositive();
        assertThat(proxy.upstreamKey.current().fingerprint()).isEqualTo(KEY.fingerprint());
    }
}
