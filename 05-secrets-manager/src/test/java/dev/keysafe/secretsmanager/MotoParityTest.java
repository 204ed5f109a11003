package dev.keysafe.secretsmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The emulator held to a real implementation: module 05's scenarios (fetch, rotate, unknown
 * secret) run against the kit's emulator and against moto, a widely used AWS emulator, and must
 * come out the same. moto is installed on CI and kit developers' machines, not on a learner's:
 * without {@code moto_server} on the PATH its half is skipped, with the reason.
 */
@Execution(ExecutionMode.CONCURRENT)
class MotoParityTest {

    private static final String EMULATOR = "emulator";
    private static final String MOTO = "moto";

    private static SecretsManagerEmulator emulator;
    private static Process moto;
    private static String motoEndpoint;

    @BeforeAll
    static void start() throws Exception {
        emulator = SecretsManagerEmulator.start();
        if (onPath("moto_server")) {
            int port;
            try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                port = free.getLocalPort();
            }
            Path log = Files.createDirectories(Path.of("target")).resolve("moto_server.log");
            moto = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            motoEndpoint = "http://127.0.0.1:" + port;
            awaitUp(motoEndpoint + "/moto-api/", Duration.ofSeconds(30));
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        emulator.close();
        if (moto != null) {
            moto.descendants().forEach(ProcessHandle::destroy);
            moto.destroy();
            if (!moto.waitFor(5, TimeUnit.SECONDS)) {
                moto.destroyForcibly();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {EMULATOR, MOTO})
    void fetch_answers_with_the_key_from_the_secret(String backend) {
        String endpoint = endpoint(backend);
        Canary canary = Canary.fresh();
        String id = Offline.newSecretId("parity-fetch");
        try (SecretsManagerClient admin = admin(endpoint); OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(canary.value());
            admin.createSecret(b -> b.name(id).secretString(Offline.asJson(canary.value())));

            InProcessRun run = InProcessRun.of(Offline.env(endpoint, openai, id), "hi");

            assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCode.OK);
            assertThat(run.out()).isEqualTo(OpenAiStub.ANSWER + System.lineSeparator());
            assertThat(openai.keysSentNamed(Map.of("planted", canary))).containsExactly("planted");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {EMULATOR, MOTO})
    void a_rotation_through_the_stages_is_picked_up_after_the_old_key_is_revoked(String backend) {
        String endpoint = endpoint(backend);
        Canary first = Canary.fresh();
        Canary second = Canary.fresh();
        String id = Offline.newSecretId("parity-rotate");
        try (SecretsManagerClient admin = admin(endpoint); OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(first.value());
            admin.createSecret(b -> b.name(id).secretString(first.value()));
            Map<String, String> env = Offline.env(endpoint, openai, id);
            try (SecretsManagerKey key = SecretsManagerKey.from(env, w -> { })) {
                OpenAIClient client = AskOnce.clientFor(key, env);
                int before = AskOnce.of(client, key, "before").exitCode();

                // What a rotation function does, through the protocol: set, (test,) finish, then revoke.
                String current = versionWith(admin, id, "AWSCURRENT");
                String pending = admin.putSecretValue(b -> b.secretId(id).secretString(second.value())
                        .versionStages("AWSPENDING")).versionId();
                openai.acceptKeys(second.value());
                admin.updateSecretVersionStage(b -> b.secretId(id).versionStage("AWSCURRENT")
                        .moveToVersionId(pending).removeFromVersionId(current));
                admin.updateSecretVersionStage(b -> b.secretId(id).versionStage("AWSPENDING").removeFromVersionId(pending));
                openai.acceptOnly(second.value());

                int after = AskOnce.of(client, key, "after").exitCode();
                client.close();

                assertThat(List.of(before, after)).containsOnly(ExitCode.OK);
                assertThat(openai.keysSentNamed(Map.of("first", first, "second", second)))
                        .as("ok, refused after revocation, retried with the new key")
                        .containsExactly("first", "first", "second");
                assertThat(stagesByValue(admin, id, Map.of(current, "first", pending, "second")))
                        .isEqualTo(Map.of("first", List.of("AWSPREVIOUS"), "second", List.of("AWSCURRENT")));
                assertThat(admin.getSecretValue(b -> b.secretId(id).versionStage("AWSPREVIOUS")).secretString()
                        .equals(first.value())).as("AWSPREVIOUS holds the first key").isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {EMULATOR, MOTO})
    void an_unknown_secret_exits_2_naming_the_id(String backend) {
        String endpoint = endpoint(backend);
        String id = Offline.newSecretId("parity-missing");
        try (OpenAiStub openai = OpenAiStub.start()) {
            InProcessRun run = InProcessRun.of(Offline.env(endpoint, openai, id), "hi");

            assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
            assertThat(run.err()).contains("no secret " + id).contains("OPENAI_SECRET_ID");
            assertThat(run.out()).isEmpty();
            assertThat(openai.journal()).isEmpty();
        }
    }

    private static String endpoint(String backend) {
        if (backend.equals(EMULATOR)) {
            return emulator.endpoint();
        }
        Assumptions.assumeTrue(moto != null,
                "moto_server is not on the PATH: parity with moto runs on CI and kit developers' machines");
        return motoEndpoint;
    }

    /** A client for setting secrets up, as an operator or a rotation function would. */
    private static SecretsManagerClient admin(String endpoint) {
        return SecretsManagerClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint)).build();
    }

    private static String versionWith(SecretsManagerClient admin, String id, String stage) {
        return admin.describeSecret(b -> b.secretId(id)).versionIdsToStages().entrySet().stream()
                .filter(e -> e.getValue().contains(stage)).map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    /** DescribeSecret's stages with version ids replaced by names, so two backends compare equal. */
    private static Map<String, List<String>> stagesByValue(SecretsManagerClient admin, String id, Map<String, String> names) {
        Map<String, List<String>> stages = new TreeMap<>();
        admin.describeSecret(b -> b.secretId(id)).versionIdsToStages().forEach((version, labels) -> {
            if (!labels.isEmpty()) {
                stages.put(names.getOrDefault(version, version), labels.stream().sorted().toList());
            }
        });
        return stages;
    }

    private static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private static void awaitUp(String url, Duration limit) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // moto is still starting
            }
            Thread.sleep(100);
        }
        throw new UncheckedIOException(new IOException("moto_server did not answer at " + url + " within " + limit));
    }
}
