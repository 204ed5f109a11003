package dev.keysafe.secretsmanager;

import dev.keysafe.common.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * How module 05 reaches AWS: a Secrets Manager client configured the standard way (AWS_REGION,
 * the default credentials chain, AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL) that fails
 * in seconds, and its failures turned into one line that names the setting and the fix.
 */
public final class AwsSetup {

    private AwsSetup() {
    }

    /** A client that fails in seconds: a start-up with no cached key should not hang on retries. */
    static SecretsManagerClient client(Map<String, String> env, ExecutionInterceptor observer) {
        SecretsManagerClientBuilder builder = SecretsManagerClient.builder()
                // The JDK's HTTP client: Apache's wire log, at DEBUG, would print the secret.
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).build())
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(2))
                        .apiCallAttemptTimeout(Duration.ofSeconds(2))
                        .apiCallTimeout(Duration.ofSeconds(5))
                        .addExecutionInterceptor(observer));
        // The SDK reads these variables itself; reading them from env too keeps tests in charge.
        if (!region(env).isEmpty()) {
            builder.region(Region.of(region(env)));
        }
        if (!endpoint(env).isEmpty()) {
            builder.endpointOverride(URI.create(endpoint(env)));
        }
        try {
            return builder.build();
        } catch (SdkClientException e) {
            throw new ConfigException("AWS_REGION is not set. Set it to the region that holds the secret, "
                    + "e.g. export AWS_REGION=us-east-1 (see 05-secrets-manager/README.md).");
        }
    }

    /** AWS_REGION, or "" to leave the region to the SDK's other sources (profile, instance). */
    public static String region(Map<String, String> env) {
        return env.getOrDefault("AWS_REGION", "").strip();
    }

    /** AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL, else "": AWS's own endpoint for the region. */
    public static String endpoint(Map<String, String> env) {
        String endpoint = env.getOrDefault("AWS_ENDPOINT_URL_SECRETS_MANAGER", "").strip();
        return endpoint.isEmpty() ? env.getOrDefault("AWS_ENDPOINT_URL", "").strip() : endpoint;
    }

    /** One line that names the secret and the fix; never the SDK's message. */
    static ConfigException explain(RuntimeException e, String secretId) {
        if (e instanceof ConfigException config) {
            return config;
        }
        if (e instanceof ResourceNotFoundException) {
            return new ConfigException("Secrets Manager has no secret " + secretId + ". Create it, or set "
                    + SecretsManagerKey.SECRET_ID_VARIABLE + " to its name or ARN (see 05-secrets-manager/README.md).");
        }
        if (e instanceof SecretsManagerException answered && answered.awsErrorDetails() != null) {
            String code = answered.awsErrorDetails().errorCode();
            if ("AccessDeniedException".equals(code)) {
                return new ConfigException("Not allowed to read the secret " + secretId + ": grant "
                        + "secretsmanager:GetSecretValue and secretsmanager:DescribeSecret on it (see README).");
            }
            return new ConfigException("Secrets Manager refused to read the secret " + secretId + " (HTTP "
                    + answered.statusCode() + " " + code + "), and no key is cached: try again later.");
        }
        if (e instanceof SdkClientException && String.valueOf(e.getMessage()).contains("Unable to load credentials")) {
            return new ConfigException("No AWS credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                    + "or AWS_PROFILE, or run with an IAM role (see 05-secrets-manager/README.md).");
        }
        return new ConfigException("Secrets Manager could not be reached, and no key is cached: check "
                + "AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER, and the network.");
    }
}
