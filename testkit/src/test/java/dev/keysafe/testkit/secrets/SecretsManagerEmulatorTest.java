package dev.keysafe.testkit.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator.Outage;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/** The emulator as the real AWS SDK sees it: the protocol, the stages, the errors, the faults. */
class SecretsManagerEmulatorTest {

    private SecretsManagerEmulator emulator;
    private SecretsManagerClient client;

    @BeforeEach
    void start() {
        emulator = SecretsManagerEmulator.start();
        client = SecretsManagerClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create(emulator.endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        SecretsManagerEmulator.ACCESS_KEY_ID, SecretsManagerEmulator.SECRET_ACCESS_KEY)))
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))
                        .apiCallTimeout(Duration.ofSeconds(5)))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        emulator.close();
    }

    @Test
    void listens_on_loopback_only() {
        assertThat(emulator.endpoint()).startsWith("http://127.0.0.1:");
        assertThat(emulator.clientEnv()).containsEntry("AWS_ENDPOINT_URL_SECRETS_MANAGER", emulator.endpoint())
                .containsEntry("AWS_EC2_METADATA_DISABLED", "true").containsKeys("AWS_REGION", "AWS_ACCESS_KEY_ID");
    }

    @Test
    void a_created_secret_is_read_back_as_awscurrent_by_name_and_by_arn() {
        String arn = client.createSecret(b -> b.name("app/key").secretString("first")).arn();

        GetSecretValueResponse byName = client.getSecretValue(b -> b.secretId("app/key"));
        GetSecretValueResponse byArn = client.getSecretValue(b -> b.secretId(arn));

        assertThat(arn).startsWith("arn:aws:secretsmanager:us-east-1:").contains(":secret:app/key-");
        assertThat(byName.secretString()).isEqualTo("first");
        assertThat(byName.versionStages()).containsExactly("AWSCURRENT");
        assertThat(byName.name()).isEqualTo("app/key");
        assertThat(byArn.versionId()).isEqualTo(byName.versionId());
        assertThat(byName.createdDate()).isNotNull();
    }

    @Test
    void describe_lists_each_labelled_version_with_its_stages() {
        emulator.createSecret("app/key", "first");
        String pending = client.putSecretValue(b -> b.secretId("app/key").secretString("second")
                .versionStages("AWSPENDING")).versionId();

        DescribeSecretResponse described = client.describeSecret(b -> b.secretId("app/key"));

        assertThat(described.versionIdsToStages()).hasSize(2);
        assertThat(described.versionIdsToStages().get(pending)).containsExactly("AWSPENDING");
        assertThat(described.versionIdsToStages().values()).anySatisfy(s -> assertThat(s).containsExactly("AWSCURRENT"));
        assertThat(described.lastChangedDate()).isNotNull();
    }

    @Test
    void promoting_a_pending_version_leaves_awsprevious_on_the_old_one() {
        emulator.createSecret("app/key", "first");
        String first = client.getSecretValue(b -> b.secretId("app/key")).versionId();
        String second = client.putSecretValue(b -> b.secretId("app/key").secretString("second")
                .versionStages("AWSPENDING")).versionId();

        client.updateSecretVersionStage(b -> b.secretId("app/key").versionStage("AWSCURRENT")
                .moveToVersionId(second).removeFromVersionId(first));

        assertThat(client.getSecretValue(b -> b.secretId("app/key")).secretString()).isEqualTo("second");
        assertThat(client.getSecretValue(b -> b.secretId("app/key").versionStage("AWSPREVIOUS")).secretString())
                .isEqualTo("first");
        assertThat(client.getSecretValue(b -> b.secretId("app/key").versionId(first)).secretString()).isEqualTo("first");
        assertThat(emulator.versionIdsToStages("app/key").get(second)).contains("AWSCURRENT", "AWSPENDING");
    }

    @Test
    void put_without_stages_makes_the_new_version_current() {
        emulator.createSecret("app/key", "first");

        PutSecretValueResponse put = client.putSecretValue(b -> b.secretId("app/key").secretString("second"));

        assertThat(put.versionStages()).containsExactly("AWSCURRENT");
        assertThat(client.getSecretValue(b -> b.secretId("app/key")).secretString()).isEqualTo("second");
        assertThat(emulator.valueWithStage("app/key", "AWSPREVIOUS")).isEqualTo("first");
    }

    @Test
    void a_retried_put_with_the_same_token_changes_nothing() {
        emulator.createSecret("app/key", "first");
        String token = "a1b2c3d4-0000-4000-8000-000000000001";

        String once = client.putSecretValue(b -> b.secretId("app/key").secretString("second").clientRequestToken(token)).versionId();
        String twice = client.putSecretValue(b -> b.secretId("app/key").secretString("second").clientRequestToken(token)).versionId();

        assertThat(twice).isEqualTo(once).isEqualTo(token);
        assertThat(emulator.versionIdsToStages("app/key")).hasSize(2);
        assertThatThrownBy(() -> client.putSecretValue(b -> b.secretId("app/key").secretString("other").clientRequestToken(token)))
                .isInstanceOf(ResourceExistsException.class);
    }

    @Test
    void an_unknown_secret_is_a_resource_not_found_exception() {
        assertThatThrownBy(() -> client.getSecretValue(b -> b.secretId("no/such/secret")))
                .isInstanceOf(ResourceNotFoundException.class)
                .satisfies(e -> assertThat(((ResourceNotFoundException) e).statusCode()).isEqualTo(400))
                .hasMessageContaining("can't find the specified secret");
        assertThatThrownBy(() -> client.describeSecret(b -> b.secretId("no/such/secret")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void an_unknown_stage_or_version_is_a_resource_not_found_exception() {
        emulator.createSecret("app/key", "first");

        assertThatThrownBy(() -> client.getSecretValue(b -> b.secretId("app/key").versionStage("AWSPENDING")))
                .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("AWSPENDING");
        assertThatThrownBy(() -> client.getSecretValue(b -> b.secretId("app/key").versionId("no-such-version")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void moving_a_stage_without_naming_the_version_that_holds_it_is_refused() {
        emulator.createSecret("app/key", "first");
        String second = emulator.putSecretValue("app/key", "second", "AWSPENDING");

        assertThatThrownBy(() -> client.updateSecretVersionStage(b -> b.secretId("app/key")
                .versionStage("AWSCURRENT").moveToVersionId(second)))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("RemoveFromVersionId");
        assertThat(emulator.valueWithStage("app/key", "AWSCURRENT")).isEqualTo("first");
    }

    @Test
    void creating_a_secret_twice_is_refused() {
        emulator.createSecret("app/key", "first");

        assertThatThrownBy(() -> client.createSecret(b -> b.name("app/key").secretString("again")))
                .isInstanceOf(ResourceExistsException.class);
    }

    @Test
    void unsigned_or_foreign_requests_get_aws_error_shapes() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(URI.create(emulator.endpoint() + "/"))
                .header("X-Amz-Target", "secretsmanager.GetSecretValue")
                .header("Content-Type", SecretsManagerEmulator.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString("{\"SecretId\":\"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(emulator.endpoint() + "/"))
                .header("X-Amz-Target", "secretsmanager.DeleteEverything")
                .header("Content-Type", SecretsManagerEmulator.CONTENT_TYPE)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/secretsmanager/aws4_request")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(unsigned.statusCode()).isEqualTo(400);
        assertThat(unsigned.body()).contains("\"__type\":\"MissingAuthenticationTokenException\"");
        assertThat(unsigned.headers().firstValue("Content-Type")).hasValue(SecretsManagerEmulator.CONTENT_TYPE);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("\"__type\":\"UnknownOperationException\"");
    }

    @Test
    void a_server_error_outage_answers_500_internal_service_error() {
        emulator.createSecret("app/key", "first");
        emulator.outage(Outage.SERVER_ERROR);

        assertThatThrownBy(() -> client.getSecretValue(b -> b.secretId("app/key")))
                .isInstanceOf(SecretsManagerException.class)
                .satisfies(e -> {
                    SecretsManagerException error = (SecretsManagerException) e;
                    assertThat(error.statusCode()).isEqualTo(500);
                    assertThat(error.awsErrorDetails().errorCode()).isEqualTo("InternalServiceError");
                });

        emulator.outage(Outage.NONE);
        assertThat(client.getSecretValue(b -> b.secretId("app/key")).secretString()).isEqualTo("first");
    }

    @Test
    void a_refusing_outage_closes_the_port_and_recovery_reopens_the_same_one() {
        emulator.createSecret("app/key", "first");
        int port = emulator.port();
        emulator.outage(Outage.REFUSE_CONNECTIONS);

        assertThatThrownBy(() -> client.getSecretValue(b -> b.secretId("app/key")))
                .isInstanceOf(SdkClientException.class);
        assertThat(emulator.calls("GetSecretValue")).isZero();

        emulator.outage(Outage.NONE);
        assertThat(emulator.port()).isEqualTo(port);
        assertThat(client.getSecretValue(b -> b.secretId("app/key")).secretString()).isEqualTo("first");
    }

    @Test
    void while_it_refuses_no_other_server_can_take_its_port() throws Exception {
        emulator.outage(Outage.REFUSE_CONNECTIONS);

        try (ServerSocket other = new ServerSocket()) {
            other.setReuseAddress(true);
            assertThatThrownBy(() -> other.bind(new InetSocketAddress("127.0.0.1", emulator.port())))
                    .isInstanceOf(BindException.class);
        }
        try (Socket client = new Socket()) {
            assertThatThrownBy(() -> client.connect(new InetSocketAddress("127.0.0.1", emulator.port()), 2000))
                    .isInstanceOf(ConnectException.class);
        }
        emulator.close();
        // Closed, it lets the port go.
        try (ServerSocket after = new ServerSocket()) {
            after.bind(new InetSocketAddress("127.0.0.1", emulator.port()));
            assertThat(after.getLocalPort()).isEqualTo(emulator.port());
        }
    }

    @Test
    void slowness_delays_every_answer() {
        emulator.createSecret("app/key", "first");
        emulator.slowness(Duration.ofMillis(400));

        long start = System.nanoTime();
        client.getSecretValue(b -> b.secretId("app/key"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void calls_are_counted_per_operation_failed_ones_included() {
        emulator.createSecret("app/key", "first");

        client.describeSecret(b -> b.secretId("app/key"));
        client.getSecretValue(b -> b.secretId("app/key"));
        client.getSecretValue(b -> b.secretId("app/key"));
        assertThatThrownBy(() -> client.getSecretValue(b -> b.secretId("missing")))
                .isInstanceOf(ResourceNotFoundException.class);

        assertThat(emulator.calls()).isEqualTo(Map.of("DescribeSecret", 1, "GetSecretValue", 3));
        assertThat(emulator.totalCalls()).isEqualTo(4);
        emulator.resetCalls();
        assertThat(emulator.totalCalls()).isZero();
    }

    @Test
    void a_key_rotation_promotes_a_tested_new_key_and_revokes_the_old_one_after_the_grace_period() throws Exception {
        Canary old = Canary.fresh();
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(old.value());
            emulator.createSecret("app/key", "{\"OPENAI_API_KEY\":\"" + old.value() + "\",\"owner\":\"team-a\"}");
            KeyRotation rotation = KeyRotation.of(emulator, "app/key", openai);

            rotation.promoteNewKey();
            String current = client.getSecretValue(b -> b.secretId("app/key")).secretString();
            String previous = client.getSecretValue(b -> b.secretId("app/key").versionStage("AWSPREVIOUS")).secretString();
            assertThat(current.contains(rotation.currentKey())).as("AWSCURRENT holds the new key").isTrue();
            assertThat(current).contains("\"owner\":\"team-a\"");
            assertThat(previous.contains(old.value())).as("AWSPREVIOUS holds the old key").isTrue();
            assertThat(emulator.versionWithStage("app/key", "AWSPENDING")).as("pending label cleared").isNull();
            assertThat(statusWith(openai, old.value())).as("old key during the grace period").isEqualTo(200);

            rotation.revokePrevious();
            assertThat(statusWith(openai, old.value())).as("old key after revocation").isEqualTo(401);
            assertThat(statusWith(openai, rotation.currentKey())).isEqualTo(200);
            assertThat(old.value().equals(rotation.previousKey())).as("the previous key is the old one").isTrue();
            assertThat(rotation.toString()).contains(old.fingerprint()).doesNotContain(old.value())
                    .doesNotContain(rotation.currentKey());
        }
    }

    @Test
    void a_background_rotation_waits_for_traffic_then_rotates_and_revokes() throws Exception {
        Canary old = Canary.fresh();
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(old.value());
            emulator.createSecret("app/key", old.value());
            KeyRotation rotation = KeyRotation.of(emulator, "app/key", openai);

            try (AutoCloseable rotating = rotation.rotateInBackground(3, Duration.ofMillis(200))) {
                Thread.sleep(300);
                assertThat(rotation.previousKey()).as("no rotation before the traffic").isNull();
                for (int i = 0; i < 3; i++) {
                    assertThat(statusWith(openai, old.value())).isEqualTo(200);
                }
            }

            assertThat(old.value().equals(rotation.previousKey())).as("the previous key is the old one").isTrue();
            assertThat(rotation.currentKey().equals(emulator.valueWithStage("app/key", "AWSCURRENT")))
                    .as("AWSCURRENT holds the new key").isTrue();
            assertThat(statusWith(openai, old.value())).isEqualTo(401);
        }
    }

    @Test
    void a_background_rotation_without_traffic_is_cancelled_at_once_on_close() throws Exception {
        Canary old = Canary.fresh();
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(old.value());
            emulator.createSecret("app/key", old.value());
            KeyRotation rotation = KeyRotation.of(emulator, "app/key", openai);

            long start = System.nanoTime();
            rotation.rotateInBackground(5, Duration.ofMillis(200)).close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(rotation.previousKey()).as("not rotated").isNull();
            assertThat(statusWith(openai, old.value())).isEqualTo(200);
        }
    }

    private static int statusWith(OpenAiStub openai, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(openai.baseUrl() + "/models"))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void the_secret_value_never_appears_in_to_string() {
        Canary key = Canary.fresh();
        emulator.createSecret("app/key", key.value());

        assertThat(emulator.toString()).doesNotContain(key.value()).contains("1 secrets");
    }
}
