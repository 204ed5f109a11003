package dev.keysafe.secretsmanager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator.Outage;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The lesson's program as a user runs it, as its own JVM: probed for leaks on the happy path and
 * with OpenAI's 401 (which echoes the key), as the tour probes it (the whole leak contract runs on
 * the audited program, {@code audit.AuditedAskLeakIT}), and a cold start with Secrets Manager down.
 */
@Execution(ExecutionMode.CONCURRENT)
class AskIT {

    /** This module's folder: its runs start the jar the build packaged, as a user would. */
    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Scenario.class, names = {"HAPPY_PATH", "KEY_REJECTED"})
    void the_key_reaches_upstream_and_nowhere_else(Scenario scenario, @TempDir Path workDir) {
        Canary canary = Canary.fresh();
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            Keysafe keysafe = new Keysafe(canary, openai);
            scenario.arrange(openai, canary);
            String id = Offline.newSecretId("plain-probe");
            secrets.createSecret(id, scenario == Scenario.HAPPY_PATH ? canary.value() : Offline.asJson(canary.value()));
            AppLaunch launch = keysafe.app(Ask.class.getName()).packagedIn(MODULE).workingDir(workDir);
            Offline.env(secrets, null, id).forEach(launch::env);

            AppRun run = launch.run();

            assertThat(keysafe.upstreamRequests()).as("the key reached the stub").anyMatch(e -> e.bearer().equals(canary.value()));
            assertThat(scenario.wellBehaved(run.exitCode(), run.stdout(), run.stderr())).as("%s: %s", scenario, run).isTrue();
            assertThat(run.exitCode()).isEqualTo(scenario == Scenario.HAPPY_PATH ? ExitCode.OK : ExitCode.AUTH);
            assertThat(keysafe.leaks()).as("places the key leaked to").isEmpty();
        }
    }

    @Test
    void a_cold_start_with_secrets_manager_down_exits_2_within_seconds(@TempDir Path workDir) {
        AppRun run;
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            secrets.createSecret(SecretsManagerEmulator.DEMO_SECRET_ID, Canary.fresh().value());
            secrets.outage(Outage.REFUSE_CONNECTIONS);
            AppLaunch launch = new Keysafe(Canary.fresh(), openai).app(Ask.class.getName()).packagedIn(MODULE).withOwnLogging().args("hi");
            Offline.env(secrets, openai, SecretsManagerEmulator.DEMO_SECRET_ID).forEach(launch::env);

            run = launch.workingDir(workDir).run();
            assertThat(openai.journal()).isEmpty();
        }

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.stderr().strip()).isEqualTo("Secrets Manager could not be reached, and no key is cached: "
                + "check AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER, and the network.");
        assertThat(run.stdout()).isEmpty();
        assertThat(run.took()).as("JVM start included").isLessThan(Duration.ofSeconds(10));
    }
}
