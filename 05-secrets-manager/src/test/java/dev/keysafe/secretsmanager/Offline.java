package dev.keysafe.secretsmanager;

import dev.keysafe.common.Json;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The settings a run of module 05 gets in tests: AWS pointed at an endpoint, OpenAI at the stub. */
public final class Offline {

    private static final AtomicInteger SECRETS = new AtomicInteger();
    private static SecretsManagerEmulator shared;

    private Offline() {
    }

    /** The environment for a run reading {@code secretId} from {@code secrets}, asking {@code openai}. */
    public static Map<String, String> env(SecretsManagerEmulator secrets, OpenAiStub openai, String secretId) {
        return env(secrets.endpoint(), openai, secretId);
    }

    /** The same against any endpoint that speaks the protocol (moto, say). */
    public static Map<String, String> env(String endpoint, OpenAiStub openai, String secretId) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", SecretsManagerEmulator.REGION);
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint);
        env.put("AWS_ACCESS_KEY_ID", SecretsManagerEmulator.ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SecretsManagerEmulator.SECRET_ACCESS_KEY);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put(SecretsManagerKey.SECRET_ID_VARIABLE, secretId);
        if (openai != null) {
            env.put("OPENAI_BASE_URL", openai.baseUrl());
        }
        return env;
    }

    /**
     * The environment for a run reading a new secret in {@code secrets} that holds {@code value}; a
     * map of its own, which the test may change.
     */
    public static Map<String, String> envWithSecret(SecretsManagerEmulator secrets, OpenAiStub openai, String value) {
        String id = newSecretId("key");
        secrets.createSecret(id, value);
        return env(secrets, openai, id);
    }

    /**
     * One emulator for every test class in this JVM that needs none of its own (one counting calls
     * or staging an outage starts its own), started on first use and stopped when the JVM exits.
     * Classes keep apart by their secret names, from {@link #newSecretId}.
     */
    public static synchronized SecretsManagerEmulator sharedEmulator() {
        if (shared == null) {
            shared = SecretsManagerEmulator.start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /** A secret name no other test uses, so tests can share one emulator and run side by side. */
    public static String newSecretId(String purpose) {
        return "keysafe-test/" + purpose + "-" + SECRETS.incrementAndGet();
    }

    /** The secret value holding {@code key} as JSON, the other shape module 05 accepts. */
    public static String asJson(String key) {
        return Json.write(Json.object().put(SecretsManagerKey.JSON_FIELD, key).put("owner", "keysafe-tests"));
    }
}
