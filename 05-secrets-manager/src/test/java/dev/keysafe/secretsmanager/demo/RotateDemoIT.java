package dev.keysafe.secretsmanager.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Fingerprint;
import dev.keysafe.secretsmanager.Offline;
import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.secrets.KeyRotation;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
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

/**
 * The rotation demo as a user runs it (what {@code ./kit run 05 --offline rotate-demo} starts): its
 * own JVM asking while the key rotates through the stages and the old key is revoked.
 */
class RotateDemoIT {

    /** This module's folder: its runs start the jar the build packaged, as a user would. */
    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    @Test
    void rotate_demo_counts_zero_failed_calls_while_the_key_rotates(@TempDir Path workDir) throws Exception {
        Canary first = Canary.fresh();
        AppRun run;
        KeyRotation rotation;
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start(); OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(first.value());
            secrets.createSecret(SecretsManagerEmulator.DEMO_SECRET_ID, first.value());
            AppLaunch launch = new Keysafe(first, openai).app(RotateDemo.class.getName()).packagedIn(MODULE).withOwnLogging().args("6");
            Offline.env(secrets, openai, SecretsManagerEmulator.DEMO_SECRET_ID).forEach(launch::env);
            rotation = KeyRotation.of(secrets, SecretsManagerEmulator.DEMO_SECRET_ID, openai);

            try (AutoCloseable rotating = rotation.rotateInBackground(5, Duration.ofMillis(500))) {
                run = launch.workingDir(workDir).timeout(Duration.ofSeconds(60)).run();
            }

            List<String> sent = openai.keysSentNamed(Map.of("first", first, "new", Canary.of(rotation.currentKey())));
            assertThat(sent).contains("first").doesNotContain("(another key)", "(no key)");
            assertThat(Collections.frequency(sent, "new")).as("calls with the new key").isGreaterThanOrEqualTo(10);
            assertThat(statusWith(openai, first.value())).as("the old key afterwards").isEqualTo(401);
        }

        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCode.OK);
        assertThat(run.stdout()).startsWith("rotate-demo: asking from 4 threads for 6 s; rotate the secret "
                        + SecretsManagerEmulator.DEMO_SECRET_ID + " meanwhile")
                .contains(" 0 failed;")
                .contains("keys used: " + first.fingerprint() + " -> " + Fingerprint.of(rotation.currentKey()) + ";")
                .doesNotContain("audit rows");
        assertThat(Detectors.inText(first, Channel.C1, "output", run.stdout() + run.stderr())).isEmpty();
        assertThat(Detectors.inText(Canary.of(rotation.currentKey()), Channel.C1, "output", run.stdout() + run.stderr()))
                .isEmpty();
    }

    private static int statusWith(OpenAiStub openai, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(openai.baseUrl() + "/models"))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
