package dev.keysafe.testkit.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.keysafe.common.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Secrets Manager operations the emulator answers, in AWS JSON 1.1 and with AWS's error
 * shapes: CreateSecret, DescribeSecret, GetSecretValue, PutSecretValue and
 * UpdateSecretVersionStage over the emulator's secrets. The caller holds the emulator's lock.
 */
final class SecretsManagerProtocol {

    private static final String ACCOUNT = "123456789012";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, StoredSecret> secrets;

    SecretsManagerProtocol(Map<String, StoredSecret> secrets) {
        this.secrets = secrets;
    }

    /** A failure in AWS's shape: HTTP status, {@code __type} and message. */
    static final class AwsError extends RuntimeException {
        final int status;
        final String type;

        AwsError(int status, String type, String message) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
        }

        static AwsError notFound(String message) {
            return new AwsError(400, "ResourceNotFoundException", message);
        }

        static AwsError invalidParameter(String message) {
            return new AwsError(400, "InvalidParameterException", message);
        }
    }

    static void check(HttpExchange exchange, String target) {
        if (!"POST".equals(exchange.getRequestMethod()) || target == null || !target.startsWith(SecretsManagerEmulator.TARGET_PREFIX)) {
            throw new AwsError(400, "UnknownOperationException", null);
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null || !contentType.startsWith(SecretsManagerEmulator.CONTENT_TYPE)) {
            throw new AwsError(400, "SerializationException", "Content-Type must be " + SecretsManagerEmulator.CONTENT_TYPE);
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 Credential=")) {
            // The signature itself is not checked: any signed request is accepted.
            throw new AwsError(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
    }

    static JsonNode parse(byte[] body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body);
            if (node == null || !node.isObject()) {
                throw new AwsError(400, "SerializationException", "The request body is not a JSON object.");
            }
            return node;
        } catch (IOException e) {
            throw new AwsError(400, "SerializationException", "The request body is not valid JSON.");
        }
    }

    ObjectNode dispatch(String operation, JsonNode request) {
        return switch (operation) {
            case "CreateSecret" -> create(request);
            case "DescribeSecret" -> describe(request);
            case "GetSecretValue" -> getValue(request);
            case "PutSecretValue" -> putValue(request);
            case "UpdateSecretVersionStage" -> updateStage(request);
            default -> throw new AwsError(400, "UnknownOperationException", null);
        };
    }

    private ObjectNode create(JsonNode request) {
        String name = required(request, "Name");
        if (secrets.containsKey(name)) {
            throw new AwsError(400, "ResourceExistsException",
                    "The operation failed because the secret " + name + " already exists.");
        }
        StoredSecret secret = new StoredSecret(name, arnFor(name), Instant.now());
        StoredSecret.Version version = secret.add(versionIdFrom(request), required(request, "SecretString"),
                List.of(StoredSecret.CURRENT), Instant.now());
        secrets.put(name, secret);
        return Json.MAPPER.createObjectNode().put("ARN", secret.arn).put("Name", name).put("VersionId", version.id);
    }

    private ObjectNode describe(JsonNode request) {
        StoredSecret secret = find(required(request, "SecretId"));
        ObjectNode response = Json.MAPPER.createObjectNode().put("ARN", secret.arn).put("Name", secret.name)
                .put("RotationEnabled", false)
                .put("CreatedDate", epochSeconds(secret.created))
                .put("LastChangedDate", epochSeconds(secret.lastChanged));
        ObjectNode stages = response.putObject("VersionIdsToStages");
        secret.versionIdsToStages().forEach((id, labels) -> labels.forEach(stages.withArray(id)::add));
        return response;
    }

    private ObjectNode getValue(JsonNode request) {
        StoredSecret secret = find(required(request, "SecretId"));
        String versionId = optional(request, "VersionId");
        String stage = optional(request, "VersionStage");
        StoredSecret.Version version;
        if (versionId != null) {
            version = secret.version(versionId).orElseThrow(() -> AwsError.notFound(
                    "Secrets Manager can't find the specified secret value for VersionId: " + versionId));
            if (stage != null && !version.stages.contains(stage)) {
                throw AwsError.notFound("Secrets Manager can't find the specified secret value for VersionId: "
                        + versionId + " and staging label: " + stage);
            }
        } else {
            String label = stage == null ? StoredSecret.CURRENT : stage;
            version = secret.withStage(label).orElseThrow(() -> AwsError.notFound(
                    "Secrets Manager can't find the specified secret value for staging label: " + label));
        }
        return versionResponse(secret, version).put("SecretString", version.value)
                .put("CreatedDate", epochSeconds(version.created));
    }

    private ObjectNode putValue(JsonNode request) {
        StoredSecret secret = find(required(request, "SecretId"));
        String value = required(request, "SecretString");
        String token = optional(request, "ClientRequestToken");
        if (token != null && secret.version(token).isPresent()) {
            // A retry of the same request changes nothing; a different value under the same token is refused.
            StoredSecret.Version existing = secret.version(token).get();
            if (!existing.value.equals(value)) {
                throw new AwsError(400, "ResourceExistsException",
                        "You can't modify an existing version, you can only create a new version.");
            }
            return versionResponse(secret, existing);
        }
        List<String> stages = new ArrayList<>();
        request.path("VersionStages").forEach(stage -> stages.add(stage.asText()));
        if (stages.isEmpty()) {
            stages.add(StoredSecret.CURRENT);
        }
        return versionResponse(secret, secret.add(versionIdFrom(request), value, stages, Instant.now()));
    }

    /** What GetSecretValue and PutSecretValue both answer about a version: its secret, id and stages. */
    private static ObjectNode versionResponse(StoredSecret secret, StoredSecret.Version version) {
        ObjectNode response = Json.MAPPER.createObjectNode().put("ARN", secret.arn).put("Name", secret.name)
                .put("VersionId", version.id);
        version.stages.forEach(response.putArray("VersionStages")::add);
        return response;
    }

    private ObjectNode updateStage(JsonNode request) {
        StoredSecret secret = find(required(request, "SecretId"));
        String stage = required(request, "VersionStage");
        String moveTo = optional(request, "MoveToVersionId");
        String removeFrom = optional(request, "RemoveFromVersionId");
        StoredSecret.Version holder = secret.withStage(stage).orElse(null);
        StoredSecret.Version target = moveTo == null ? null : secret.version(moveTo).orElseThrow(
                () -> AwsError.invalidParameter("Secrets Manager can't find the specified secret version: " + moveTo));
        if (holder != null && holder != target && !holder.id.equals(removeFrom)) {
            throw AwsError.invalidParameter("The parameter RemoveFromVersionId can't be empty. Staging label "
                    + stage + " is currently attached to version " + holder.id
                    + ", so you must explicitly reference that version in RemoveFromVersionId.");
        }
        if (removeFrom != null && (holder == null || !holder.id.equals(removeFrom))) {
            throw AwsError.invalidParameter("The staging label " + stage + " is not attached to version " + removeFrom);
        }
        if (target != null) {
            secret.attach(stage, target);
        } else if (holder != null) {
            if (stage.equals(StoredSecret.CURRENT)) {
                throw AwsError.invalidParameter("You can't remove the staging label AWSCURRENT without moving it "
                        + "to another version (use MoveToVersionId).");
            }
            secret.detach(stage, holder);
        }
        secret.lastChanged = Instant.now();
        return Json.MAPPER.createObjectNode().put("ARN", secret.arn).put("Name", secret.name);
    }

    StoredSecret find(String secretId) {
        StoredSecret byName = secrets.get(secretId);
        if (byName != null) {
            return byName;
        }
        return secrets.values().stream().filter(s -> s.arn.equals(secretId)).findFirst()
                .orElseThrow(() -> AwsError.notFound("Secrets Manager can't find the specified secret."));
    }

    private static String required(JsonNode request, String field) {
        String value = optional(request, field);
        if (value == null) {
            throw AwsError.invalidParameter("The parameter " + field + " is required.");
        }
        return value;
    }

    private static String optional(JsonNode request, String field) {
        JsonNode node = request.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    /** The client's idempotency token becomes the version id, as in AWS; the SDK always sends one. */
    private static String versionIdFrom(JsonNode request) {
        String token = optional(request, "ClientRequestToken");
        return token != null ? token : UUID.randomUUID().toString();
    }

    static String arnFor(String name) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            suffix.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return "arn:aws:secretsmanager:" + SecretsManagerEmulator.REGION + ":" + ACCOUNT + ":secret:" + name + "-" + suffix;
    }

    /** AWS JSON sends timestamps as seconds since the epoch, with a fraction. */
    private static double epochSeconds(Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }

    static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", SecretsManagerEmulator.CONTENT_TYPE);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void pause(Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
