package dev.keysafe.proxy.key;

import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import dev.keysafe.secretsmanager.SecretsManagerKey;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key source backed by a secret in AWS Secrets Manager (OPENAI_SECRET_ID), read through module
 * 05's {@link SecretsManagerKey}: its cache, its AWS client (the standard AWS settings, the JDK's
 * HTTP client, seconds rather than minutes to fail) and its one-line messages. The cache is asked
 * on every upstream call, so a secret the cache has refreshed is used at once; a reload fetches
 * the secret past the cache.
 */
public final class SecretsManagerSource implements UpstreamKey.Source, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SecretsManagerSource.class);

    private final SecretsManagerKey secret;

    private SecretsManagerSource(SecretsManagerKey secret) {
        this.secret = secret;
    }

    /**
     * The secret named by OPENAI_SECRET_ID in {@code env}, reached with the AWS settings in
     * {@code env}. Nothing is fetched yet: the first {@link #load()} does that.
     *
     * @throws ConfigException when the AWS client cannot be set up (no region, say)
     */
    static SecretsManagerSource from(Map<String, String> env) {
        try {
            // 05's warnings (a refresh that failed while a cached key keeps serving) name the
            // secret and the key's fingerprint only.
            return new SecretsManagerSource(SecretsManagerKey.from(env, LOG::warn));
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            // The SDK's own text is not shown: one line naming the settings instead.
            throw new ConfigException(SecretsManagerKey.SECRET_ID_VARIABLE + " is set, but the AWS settings do not "
                    + "make a Secrets Manager client: check AWS_REGION, and AWS_ENDPOINT_URL_SECRETS_MANAGER or "
                    + "AWS_ENDPOINT_URL (a full URL such as http://localhost:4566, or unset for AWS itself).");
        }
    }

    /** The key from the cache; Secrets Manager is called only when the cache is empty or its hour is up. */
    @Override
    public ApiKey load() {
        return secret.current();
    }

    /** The cache is in memory and refreshes itself: cheap enough to ask on every upstream call. */
    @Override
    public boolean askedOnEveryCall() {
        return true;
    }

    /** Fetches the secret now, past the cache (a rotation was announced, or the upstream refused the key). */
    @Override
    public ApiKey fetchNow() {
        // 05's refresh after a rejection, given the key in use: it fetches at once, and callers
        // refused together share one fetch.
        secret.refreshAfterRejection(secret.current());
        return secret.current();
    }

    /** Secrets Manager calls made so far (each is billed). */
    public int secretsManagerCalls() {
        return secret.secretsManagerCalls();
    }

    @Override
    public void close() {
        secret.close();
    }

    /** Names the secret, never its value. */
    @Override
    public String toString() {
        return "SecretsManagerSource[secret " + secret.secretId() + "]";
    }
}
