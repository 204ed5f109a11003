package dev.keysafe.secretsmanager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Wrong settings around the key: each fails before any call, with a message naming the setting. */
@Execution(ExecutionMode.CONCURRENT)
class SettingsTest {

    private static final SecretsManagerEmulator secrets = Offline.sharedEmulator();

    @Test
    void an_audit_url_with_the_plain_program_fails_fast_naming_the_setting_and_the_audited_program() {
        Canary canary = Canary.fresh();
        // Its own emulator, so the call count is this test's alone.
        try (SecretsManagerEmulator own = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(canary.value());
            Map<String, String> env = Offline.envWithSecret(own, openai, canary.value());
            env.put("AUDIT_JDBC_URL", "jdbc-secretsmanager:postgresql://127.0.0.1:5432/keysafe");

            InProcessRun run = InProcessRun.of(env, "hi");

            assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
            assertThat(run.err().lines()).singleElement().asString()
                    .startsWith("AUDIT_JDBC_URL is set, but this program keeps no audit log")
                    .contains("dev.keysafe.secretsmanager.audit.AuditedAsk")
                    .doesNotContain("127.0.0.1:5432");
            assertThat(run.out()).isEmpty();
            assertThat(openai.journal()).as("no call upstream").isEmpty();
            assertThat(own.totalCalls()).as("not even Secrets Manager is asked").isZero();
        }
    }

    @Test
    void without_an_audit_url_the_plain_program_answers() {
        Canary canary = Canary.fresh();
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(canary.value());
            Map<String, String> env = Offline.envWithSecret(secrets, openai, canary.value());
            env.put("AUDIT_JDBC_URL", "  ");

            InProcessRun run = InProcessRun.of(env, "hi");

            assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCode.OK);
            assertThat(run.out()).isEqualTo(OpenAiStub.ANSWER + System.lineSeparator());
            assertThat(run.err()).isEmpty();
        }
    }
}
