package dev.keysafe.secretsmanager;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import dev.keysafe.common.Json;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Where module 05 gets its key: a secret in AWS Secrets Manager, read with the AWS SDK and kept in
 * memory by {@link SecretCache}, so thousands of asks cost a couple of Secrets Manager calls and a
 * rotated key is picked up without a restart. The secret holds the bare key or JSON with an
 * {@value #JSON_FIELD} field. AWS is configured the standard way (AWS_REGION, the default
 * credentials chain, AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL), so the same code runs
 * against AWS, LocalStack, moto or the kit's emulator.
 */
public final class SecretsManagerKey implements AutoCloseable {

    /** The variable naming the secret (its name or ARN). */
    public static final String SECRET_ID_VARIABLE = "OPENAI_SECRET_ID";
    /** The secret read when OPENAI_SECRET_ID is not set. */
    public static final String DEFAULT_SECRET_ID = "keysafe/openai-api-key";
    /** The field that holds the key when the secret is JSON. */
    public static final String JSON_FIELD = "OPENAI_API_KEY";

    private final String secretId;
    private final SecretCacheConfiguration configuration;
    private final Consumer<String> warnings;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicBoolean unanswered = new AtomicBoolean();
    private volatile SecretCache cache;
    private volatile boolean reachable = true;

    private SecretsManagerKey(String secretId, Map<String, String> env, Consumer<String> warnings) {
        this.secretId = secretId;
        this.warnings = warnings;
        this.configuration = new SecretCacheConfiguration().withClient(AwsSetup.client(env, new Observer()));
        this.cache = new SecretCache(configuration);
    }

    /** The secret named by OPENAI_SECRET_ID in {@code env}; warnings (never a value) go to {@code warnings}. */
    public static SecretsManagerKey from(Map<String, String> env, Consumer<String> warnings) {
        String secretId = env.getOrDefault(SECRET_ID_VARIABLE, "").strip();
        return new SecretsManagerKey(secretId.isEmpty() ? DEFAULT_SECRET_ID : secretId, env, warnings);
    }

    /**
     * The key, from the cache: Secrets Manager is asked only when the cache is empty or its hour is
     * up. When it cannot be reached then, the cached key keeps serving and a warning says so.
     *
     * @throws ConfigException with no cached key: the secret is unknown, unreadable or unreachable
     */
    public ApiKey current() {
        String value;
        try {
            value = cache.getSecretString(secretId);
        } catch (RuntimeException e) {
            throw AwsSetup.explain(e, secretId);
        }
        ApiKey key = parse(value);
        if (unanswered.getAndSet(false)) {
            warnings.accept("warning: the secret " + secretId + " could not be refreshed from Secrets Manager; "
                    + "the cached key " + key.fingerprint() + " keeps serving until it can.");
        }
        return key;
    }

    /**
     * Called when the API refused {@code rejected}: fetches the secret again, at once. True when the
     * key is now a different one (it was rotated), so one more try makes sense.
     */
    public synchronized boolean refreshAfterRejection(ApiKey rejected) {
        // Threads refused together refresh once: the first one here fetches, the others see its result.
        if (!current().sameKeyAs(rejected)) {
            return true;
        }
        if (reachable) {
            try {
                cache.refreshNow(secretId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        } else {
            // After failed calls the cache first waits out its backoff (up to 128 s): a new cache asks at
            // once, failing within seconds while Secrets Manager is still down, and takes over if it got an answer.
            SecretCache fresh = new SecretCache(configuration);
            try {
                fresh.getSecretString(secretId);
                cache = fresh;
            } catch (RuntimeException stillDown) {
                fresh.close();
            }
        }
        return !current().sameKeyAs(rejected);
    }

    /** False while the last call to Secrets Manager failed: it cannot be reached, or answers with errors. */
    public boolean reachable() {
        return reachable;
    }

    /** Calls made to Secrets Manager so far (each is billed). */
    public int secretsManagerCalls() {
        return calls.get();
    }

    public String secretId() {
        return secretId;
    }

    @Override
    public void close() {
        cache.close();
    }

    /** Names the secret, never its value. */
    @Override
    public String toString() {
        return "SecretsManagerKey[secret " + secretId + "]";
    }

    private ApiKey parse(String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException("The secret " + secretId + " has no text value. Store the key itself, "
                    + "or JSON with an " + JSON_FIELD + " field.");
        }
        if (!value.strip().startsWith("{")) {
            return ApiKey.of(value);
        }
        JsonNode field;
        try {
            field = Json.MAPPER.readTree(value).get(JSON_FIELD);
        } catch (Exception e) {
            // Never the parser's message: it quotes the text around the error, which is the secret.
            throw new ConfigException("The secret " + secretId + " starts like JSON but is not valid JSON.");
        }
        if (field == null || !field.isTextual() || field.asText().isBlank()) {
            throw new ConfigException("The secret " + secretId + " is JSON without an " + JSON_FIELD
                    + " field. Add one, or store the bare key.");
        }
        return ApiKey.of(field.asText());
    }

    /** Counts every request sent to Secrets Manager and notes whether the last call went unanswered. */
    private final class Observer implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            calls.incrementAndGet();
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            unanswered.set(false);
            reachable = true;
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            unanswered.set(true);
            reachable = false;
        }
    }
}
