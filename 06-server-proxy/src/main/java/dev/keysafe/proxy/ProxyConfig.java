package dev.keysafe.proxy;

import dev.keysafe.common.ConfigException;
import dev.keysafe.common.OpenAiSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The lesson's settings, read once from the environment and checked before anything starts: where
 * OpenAI is (OPENAI_BASE_URL), the largest body (PROXY_MAX_BODY_BYTES), how long OpenAI may take to
 * start answering (PROXY_UPSTREAM_TIMEOUT_SECONDS) and to send the next piece of an answer it has
 * started (PROXY_STREAM_IDLE_TIMEOUT_SECONDS). Where to listen is the caller's, who starts the server.
 */
public record ProxyConfig(URI upstreamBaseUrl, long maxBodyBytes, Duration upstreamTimeout,
                          Duration streamIdleTimeout) {

    /** The settings in {@code env}; a {@link ConfigException} names the first that is wrong. */
    public static ProxyConfig fromEnv(Map<String, String> env) {
        // Same rule as every module: HTTPS, or plain HTTP to this machine only.
        return new ProxyConfig(URI.create(OpenAiSettings.baseUrl(env).replaceAll("/+$", "")),
                intSetting(env, "PROXY_MAX_BODY_BYTES", 1_048_576, 1_024, 64 * 1_048_576),
                Duration.ofSeconds(intSetting(env, "PROXY_UPSTREAM_TIMEOUT_SECONDS", 60, 1, 600)),
                Duration.ofSeconds(intSetting(env, "PROXY_STREAM_IDLE_TIMEOUT_SECONDS", 30, 1, 600)));
    }

    /** The whole number in setting {@code name}, {@code fallback} when unset, or a message naming its range. */
    public static int intSetting(Map<String, String> env, String name, int fallback, int min, int max) {
        String raw = env.getOrDefault(name, "").strip();
        // Not a number, or one past int's range, is refused like a value out of range.
        long value = raw.isEmpty() ? fallback : raw.matches("-?[0-9]{1,10}") ? Long.parseLong(raw) : Long.MIN_VALUE;
        if (value < min || value > max) {
            throw new ConfigException(name + " must be a whole number from " + min + " to " + max
                    + " (default " + fallback + ").");
        }
        return (int) value;
    }
}
