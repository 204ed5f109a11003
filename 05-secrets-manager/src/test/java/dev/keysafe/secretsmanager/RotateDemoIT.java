package dev.keysafe.secretsmanager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.secrets.KeyRotation;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator.Outage;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The command line as a user runs it: {@code rotate-demo} while the key rotates through the
 * stages (what {@code ./kit run 05 --offline rotate-demo} shows), and a cold start with Secrets
 * Manager down.
 */
@Execution(ExecutionMode.CONCURRENT)
class RotateDemoIT {

    @Test
    void rotate_demo_counts_zero_failed_calls_while_the_key_rotates(@TempDir Path workDir) throws Exception {
        Canary first = Canary.fresh();
        RunResult run;
        KeyRotation rotation;
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(first.value());
            secrets.createSecret(SecretsManagerEmulator.DEMO_SECRET_ID, first.value());
            ModuleLaunch launch = ModuleLaunch.of(Ask.class.getName()).args(RotateDemo.ARGUMENT, "6");
            Offline.env(secrets, openai, SecretsManagerEmulator.DEMO_SECRET_ID).forEach(launch::env);
            rotation = KeyRotation.of(secrets, SecretsManagerEmulator.DEMO_SECRET_ID, openai);

            try (AutoCloseable rotating = rotation.rotateInBackground(5, Duration.ofMillis(500))) {
                run = ModuleRunner.run(launch, workDir, Duration.ofSeconds(60));
            }

            List<String> sent = openai.keysSentNamed(Map.of("first", first, "new", Canary.of(rotation.currentKey())));
            assertThat(sent).contains("first").doesNotContain("(another key)", "(no key)");
            assertThat(Collections.frequency(sent, "new")).as("calls with the new key").isGreaterThanOrEqualTo(10);
            assertThat(statusWith(openai, first.value())).as("the old key afterwards").isEqualTo(401);
        }

        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCode.OK);
        assertThat(run.stdout()).contains(" 0 failed;")
                .contains("keys used: " + first.fingerprint() + " -> ..." + last4(rotation.currentKey()) + ";");
        assertThat(Detectors.inText(first, Channel.C1, "output", run.stdout() + run.stderr())).isEmpty();
        assertThat(Detectors.inText(Canary.of(rotation.currentKey()), Channel.C1, "output", run.stdout() + run.stderr()))
                .isEmpty();
    }

    @Test
    void a_cold_start_with_secrets_manager_down_exits_2_within_seconds(@TempDir Path workDir) {
        RunResult run;
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            secrets.createSecret(SecretsManagerEmulator.DEMO_SECRET_ID, Canary.fresh().value());
            secrets.outage(Outage.REFUSE_CONNECTIONS);
            ModuleLaunch launch = ModuleLaunch.of(Ask.class.getName()).args("hi");
            Offline.env(secrets, openai, SecretsManagerEmulator.DEMO_SECRET_ID).forEach(launch::env);

            run = ModuleRunner.run(launch, workDir);
            assertThat(openai.journal()).isEmpty();
        }

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.stderr().strip()).isEqualTo("Secrets Manager could not be reached, and no key is cached: "
                + "check AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER, and the network.");
        assertThat(run.stdout()).isEmpty();
        assertThat(run.took()).as("JVM start included").isLessThan(Duration.ofSeconds(10));
    }

    private static String last4(String key) {
        return key.substring(key.length() - 4);
    }

    private static int statusWith(OpenAiStub openai, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(openai.baseUrl() + "/models"))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
