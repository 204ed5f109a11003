package dev.keysafe.secretsmanager.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.secretsmanager.InProcessRun;
import dev.keysafe.secretsmanager.Offline;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The demo's own settings: it runs only against a local stub, for a number of seconds. */
@Execution(ExecutionMode.CONCURRENT)
class RotateDemoSettingsTest {

    private static final SecretsManagerEmulator secrets = Offline.sharedEmulator();

    @Test
    void rotate_demo_refuses_to_run_against_openai_itself() {
        Map<String, String> env = Offline.envWithSecret(secrets, null, Canary.fresh().value());
        env.remove("OPENAI_BASE_URL");

        InProcessRun run = InProcessRun.of(RotateDemo::run, env);

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("rotate-demo").contains("OPENAI_BASE_URL").contains("127.0.0.1");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void rotate_demo_takes_a_number_of_seconds() {
        Map<String, String> env = Offline.envWithSecret(secrets, null, Canary.fresh().value());
        env.put("OPENAI_BASE_URL", "http://127.0.0.1:9/v1");

        InProcessRun run = InProcessRun.of(RotateDemo::run, env, "forever");

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("seconds from 1 to 600");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void the_demo_word_from_the_kit_command_line_may_come_before_the_seconds() {
        Canary canary = Canary.fresh();
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(canary.value());

            InProcessRun run = InProcessRun.of(RotateDemo::run, Offline.envWithSecret(secrets, openai, canary.value()),
                    RotateDemo.NAME, "1");

            assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCode.OK);
            assertThat(run.out()).startsWith("rotate-demo: asking from 4 threads for 1 s;")
                    .contains(" 0 failed; keys used: " + canary.fingerprint() + "; Secrets Manager calls: 2");
        }
    }
}
