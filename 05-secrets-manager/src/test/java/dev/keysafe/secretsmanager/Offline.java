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

    /** A secret name no other test uses, so tests can share one emulator and run side by side. */
    public static String newSecretId(String purpose) {
        return "keysafe-test/" + purpose + "-" + SECRETS.incrementAndGet();
    }

    /** The secret value holding {@code key} as JSON, the other shape module 05 accepts. */
    public static String asJson(String key) {
        return Json.write(Json.object().put(SecretsManagerKey.JSON_FIELD, key).put("owner", "keysafe-tests"));
    }
}
