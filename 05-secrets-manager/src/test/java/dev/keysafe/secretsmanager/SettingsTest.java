package dev.keysafe.secretsmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ConfigException;
import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Wrong settings around the key: each fails before any call, with a message naming the setting. */
@Execution(ExecutionMode.CONCURRENT)
class SettingsTest {

    private static SecretsManagerEmulator secrets;

    @BeforeAll
    static void start() {
        secrets = SecretsManagerEmulator.start();
    }

    @AfterAll
    static void stop() {
        secrets.close();
    }

    private static Map<String, String> envWithKey() {
        String id = Offline.newSecretId("settings");
        secrets.createSecret(id, Canary.fresh().value());
        return new HashMap<>(Offline.env(secrets, null, id));
    }

    @Test
    void rotate_demo_refuses_to_run_against_openai_itself() {
        Map<String, String> env = envWithKey();
        env.remove("OPENAI_BASE_URL");

        InProcessRun run = InProcessRun.of(env, RotateDemo.ARGUMENT);

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("rotate-demo").contains("OPENAI_BASE_URL").contains("127.0.0.1");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void rotate_demo_takes_a_number_of_seconds() {
        Map<String, String> env = envWithKey();
        env.put("OPENAI_BASE_URL", "http://127.0.0.1:9/v1");

        InProcessRun run = InProcessRun.of(env, RotateDemo.ARGUMENT, "forever");

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("seconds from 1 to 600");
    }

    @Test
    void the_audit_url_must_take_the_password_from_secrets_manager() {
        Map<String, String> env = Map.of(AuditLog.URL_VARIABLE, "jdbc:postgresql://127.0.0.1:5432/keysafe",
                AuditLog.SECRET_VARIABLE, "keysafe/audit-db");

        assertThatThrownBy(() -> AuditLog.from(env, w -> { })).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("AUDIT_JDBC_URL must start with jdbc-secretsmanager:postgresql://");
    }

    @Test
    void the_audit_log_needs_the_database_secret_named() {
        Map<String, String> env = Map.of(AuditLog.URL_VARIABLE, "jdbc-secretsmanager:postgresql://127.0.0.1:5432/keysafe");

        assertThatThrownBy(() -> AuditLog.from(env, w -> { })).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("AUDIT_DB_SECRET_ID is not set");
    }

    @Test
    void without_an_audit_url_nothing_is_recorded() {
        AuditLog off = AuditLog.from(Map.of(), w -> { });

        assertThat(off.enabled()).isFalse();
        assertThat(off.toString()).isEqualTo("AuditLog[off]");
    }
}
