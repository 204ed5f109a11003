package dev.keysafe.testkit.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Fingerprint;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A rotation of the OpenAI key kept in the emulator, in the steps of a Secrets Manager rotation
 * function, with the OpenAI stub standing in for OpenAI's key management:
 * <ol>
 *   <li>create: a second key is issued; the old one keeps working;</li>
 *   <li>set: the new key is stored as a version labelled {@code AWSPENDING};</li>
 *   <li>test: the pending key is tried against the API before anyone depends on it;</li>
 *   <li>finish: {@code AWSCURRENT} moves to the new version, the old one becomes {@code AWSPREVIOUS};</li>
 *   <li>after a grace period the old key is revoked: only the new one is accepted.</li>
 * </ol>
 * A client that caches the key and refreshes it when the API answers 401 loses no call. The
 * secret keeps its shape: a bare key stays bare, JSON keeps its other fields.
 */
public final class KeyRotation {

    private static final String FIELD = "OPENAI_API_KEY";

    private final SecretsManagerEmulator secrets;
    private final String secretId;
    private final OpenAiStub openai;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile String previousKey;
    private volatile String currentKey;

    private KeyRotation(SecretsManagerEmulator secrets, String secretId, OpenAiStub openai) {
        this.secrets = secrets;
        this.secretId = secretId;
        this.openai = openai;
        this.currentKey = keyIn(secrets.valueWithStage(secretId, "AWSCURRENT"));
    }

    /** A rotation of the key in {@code secretId}, which {@code openai} accepts now. */
    public static KeyRotation of(SecretsManagerEmulator secrets, String secretId, OpenAiStub openai) {
        return new KeyRotation(secrets, secretId, openai);
    }

    /** Every step: the new key is promoted, and the old one revoked after {@code grace}. */
    public void rotate(Duration grace) throws InterruptedException {
        promoteNewKey();
        Thread.sleep(grace.toMillis());
        revokePrevious();
    }

    /**
     * Rotates once on a background thread, as soon as the stub has answered {@code afterCalls}
     * requests (the client under watch is up and asking), with {@code grace} between promotion and
     * revocation: what {@code ./kit run 05 --offline rotate-demo} and the tour run beside the module.
     * Closing the handle cancels the rotation if the traffic never came, else waits for it (at most
     * a minute) and rethrows its failure.
     */
    public AutoCloseable rotateInBackground(int afterCalls, Duration grace) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicBoolean started = new AtomicBoolean();
        Thread rotator = new Thread(() -> {
            try {
                while (openai.journal().size() < afterCalls) {
                    Thread.sleep(100);
                }
                synchronized (started) {
                    started.set(true);
                }
                rotate(grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "key-rotation");
        rotator.setDaemon(true);
        rotator.start();
        return () -> {
            synchronized (started) {
                if (!started.get() && openai.journal().size() < afterCalls) {
                    rotator.interrupt();
                    return;
                }
            }
            rotator.join(Duration.ofSeconds(60).toMillis());
            if (failure.get() != null) {
                throw new IllegalStateException("the background rotation failed", failure.get());
            }
        };
    }

    /** Steps 1 to 4: afterwards AWSCURRENT holds a new key; the old one is still accepted. */
    public synchronized void promoteNewKey() {
        String oldValue = secrets.valueWithStage(secretId, "AWSCURRENT");
        String newKey = Canary.fresh().value();
        openai.acceptKeys(newKey);
        String pending = secrets.putSecretValue(secretId, sameShape(oldValue, newKey), "AWSPENDING");
        if (!accepted(newKey)) {
            throw new IllegalStateException("the API refused the pending key: rotation stopped at AWSPENDING");
        }
        secrets.moveStage(secretId, "AWSCURRENT", pending);
        secrets.removeStage(secretId, "AWSPENDING");
        previousKey = currentKey;
        currentKey = newKey;
    }

    /** Step 5: the API accepts only the current key. */
    public synchronized void revokePrevious() {
        openai.acceptOnly(currentKey);
    }

    /** The key now labelled AWSCURRENT. Only for planting and checking in tests; never print it. */
    public String currentKey() {
        return currentKey;
    }

    /** The key the last rotation replaced, or null before the first. Never print it. */
    public String previousKey() {
        return previousKey;
    }

    /** Fingerprints only: {@code KeyRotation[keysafe/openai-api-key: ...abcd -> ...wxyz]}. */
    @Override
    public String toString() {
        String from = previousKey == null ? "" : Fingerprint.of(previousKey) + " -> ";
        return "KeyRotation[" + secretId + ": " + from + Fingerprint.of(currentKey) + "]";
    }


    private boolean accepted(String key) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(openai.baseUrl() + "/models"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The key inside a secret value: the value itself, or its OPENAI_API_KEY field. */
    static String keyIn(String value) {
        if (value == null) {
            throw new IllegalStateException("the secret has no AWSCURRENT version");
        }
        JsonNode json = asJsonObject(value);
        return json == null ? value.strip() : json.path(FIELD).asText();
    }

    private static String sameShape(String oldValue, String newKey) {
        JsonNode json = asJsonObject(oldValue);
        if (json == null) {
            return newKey;
        }
        ObjectNode copy = ((ObjectNode) json).deepCopy();
        copy.put(FIELD, newKey);
        return copy.toString();
    }

    private static JsonNode asJsonObject(String value) {
        if (!value.strip().startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(value);
            return node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
