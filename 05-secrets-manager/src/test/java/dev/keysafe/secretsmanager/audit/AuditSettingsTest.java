package dev.keysafe.secretsmanager.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ConfigException;
import dev.keysafe.common.ExitCode;
import dev.keysafe.secretsmanager.InProcessRun;
import dev.keysafe.secretsmanager.Offline;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The audit log's settings: each mistake fails before any call, with a message naming the setting. */
@Execution(ExecutionMode.CONCURRENT)
class AuditSettingsTest {

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

    @Test
    void the_audited_program_without_an_audit_url_fails_fast_naming_the_setting() {
        Canary canary = Canary.fresh();
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(canary.value());
            Map<String, String> env = Offline.envWithSecret(Offline.sharedEmulator(), openai, canary.value());

            InProcessRun run = InProcessRun.of(AuditedAsk::run, env, "hi");

            assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
            assertThat(run.err().lines()).singleElement().asString()
                    .startsWith("AUDIT_JDBC_URL is not set").contains("dev.keysafe.secretsmanager.Ask");
            assertThat(run.out()).isEmpty();
            assertThat(openai.journal()).as("no call upstream").isEmpty();
        }
    }

    @Test
    void a_wrong_audit_url_stops_the_audited_program_with_exit_2() {
        Map<String, String> env = Map.of(AuditLog.URL_VARIABLE, "jdbc:postgresql://127.0.0.1:5432/keysafe");

        InProcessRun run = InProcessRun.of(AuditedAsk::run, env, "hi");

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).startsWith("AUDIT_JDBC_URL must start with jdbc-secretsmanager:postgresql://");
        assertThat(run.out()).isEmpty();
    }
}
