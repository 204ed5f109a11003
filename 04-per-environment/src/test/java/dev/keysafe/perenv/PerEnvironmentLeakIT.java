package dev.keysafe.perenv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.contract.CliLeakContract;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Module 04 under the shared leak contract: a staging run, with the canary as the staging key and
 * other keys for development and production. The contract's journal check (C21) then also proves
 * that only the staging key ever went upstream, in every scenario.
 */
class PerEnvironmentLeakIT extends CliLeakContract {

    /** This module's folder: its runs start the jar the build packaged, as a user would. */
    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    @Override
    protected AppLaunch launch(Keysafe keysafe) {
        return keysafe.app(Ask.class.getName()).packagedIn(MODULE)
                .env("ENVIRONMENT", "staging")
                .env("OPENAI_API_KEY_DEV", Canary.fresh().value())
                .withOpenAiKeyIn("OPENAI_API_KEY_STAGING")
                .env("OPENAI_API_KEY_PROD", Canary.fresh().value());
    }

    @Override
    protected List<Object> keyHolders(Canary key) {
        return List.of(EnvironmentKey.from(Map.of("OPENAI_API_KEY_STAGING", key.value()), Environment.STAGING));
    }

    @Test
    void staging_process_sends_only_the_staging_key_though_upstream_accepts_all_three(@TempDir Path workDir) {
        Canary dev = Canary.fresh();
        Canary staging = Canary.fresh();
        Canary prod = Canary.fresh();
        try (OpenAiStub stub = OpenAiStub.start()) {
            stub.acceptKeys(dev.value(), staging.value(), prod.value());

            AppRun run = new Keysafe(staging, stub).app(Ask.class.getName()).packagedIn(MODULE).withOwnLogging()
                    .env("ENVIRONMENT", "staging")
                    .env("OPENAI_API_KEY_DEV", dev.value())
                    .withOpenAiKeyIn("OPENAI_API_KEY_STAGING")
                    .env("OPENAI_API_KEY_PROD", prod.value()).workingDir(workDir).run();

            for (Canary key : List.of(dev, staging, prod)) {
                assertThat(Detectors.inText(key, Channel.C7, "stderr", run.stderr())).isEmpty();
                assertThat(Detectors.inText(key, Channel.C1, "stdout", run.stdout())).isEmpty();
            }
            assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
            assertThat(run.stdout()).contains(OpenAiStub.ANSWER);
            assertThat(run.stderr()).contains("environment: staging, key OPENAI_API_KEY_STAGING " + staging.fingerprint());
            assertThat(stub.keysSentNamed(Map.of("dev", dev, "staging", staging, "prod", prod)))
                    .containsExactly("staging");
        }
    }

    @Test
    void missing_production_key_refuses_to_start_in_its_own_process(@TempDir Path workDir) {
        Canary dev = Canary.fresh();
        try (OpenAiStub stub = OpenAiStub.start()) {
            stub.acceptKeys(dev.value());

            AppRun run = new Keysafe(dev, stub).app(Ask.class.getName()).packagedIn(MODULE).withOwnLogging()
                    .env("ENVIRONMENT", "production")
                    .withOpenAiKeyIn("OPENAI_API_KEY_DEV")
                    .withOpenAiKeyIn("OPENAI_API_KEY").workingDir(workDir).run();

            assertThat(Detectors.inText(dev, Channel.C7, "stderr", run.stderr())).isEmpty();
            assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
            assertThat(run.stdout()).isEmpty();
            assertThat(run.stderr()).contains("OPENAI_API_KEY_PROD is not set");
            assertThat(stub.journal()).isEmpty();
        }
    }
}
