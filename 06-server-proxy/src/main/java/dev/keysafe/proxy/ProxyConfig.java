package dev.keysafe.proxy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.keysafe.common.ConfigException;
import dev.keysafe.common.OpenAiSettings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The proxy's settings, read once from the environment and checked before anything starts: a
 * missing or wrong setting stops the proxy with a message that names the setting and the fix.
 * The upstream key is not here ({@link UpstreamKey} holds it); the admin token is kept only as
 * its SHA-256 hash, so this object holds nothing worth printing and {@code toString()} shows
 * names and sizes only. Where state lives (PROXY_STORE and the database login) is read by
 * {@link StoreSettings}, which keeps the database password out of this object too.
 */
public record ProxyConfig(
        String host,
        int port,
        URI upstreamBaseUrl,
        byte[] adminTokenHash,
        long maxBodyBytes,
        Duration upstreamTimeout,
        Optional<String> corsOrigin,
        Prices prices,
        String chatModel,
        long sessionBudgetNanoUsd,
        Optional<URI> alertWebhook) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;
    public static final long DEFAULT_MAX_BODY_BYTES = 1_048_576;
    public static final int MIN_ADMIN_TOKEN_LENGTH = 24;

    /**
     * The settings in {@code env}.
     *
     * @throws ConfigException naming the first setting that is missing or wrong
     */
    public static ProxyConfig fromEnv(Map<String, String> env) {
        String adminToken = env.getOrDefault("PROXY_ADMIN_TOKEN", "").strip();
        if (adminToken.isEmpty()) {
            throw new ConfigException("PROXY_ADMIN_TOKEN is not set. The admin routes need it: generate one with "
                    + "'openssl rand -hex 32' and put it in the environment (see 06-server-proxy/README.md).");
        }
        if (adminToken.length() < MIN_ADMIN_TOKEN_LENGTH) {
            throw new ConfigException("PROXY_ADMIN_TOKEN is too short (at least " + MIN_ADMIN_TOKEN_LENGTH
                    + " characters): generate one with 'openssl rand -hex 32'.");
        }
        String pricesFile = env.getOrDefault("PROXY_PRICES_FILE", "").strip();
        Prices prices = pricesFile.isEmpty() ? Prices.defaults() : Prices.load(Path.of(pricesFile));
        String chatModel = chatModel(env);
        if (!prices.knows(chatModel)) {
            throw new ConfigException("PROXY_CHAT_MODEL names a model that is not in the price table: pick one "
                    + "of " + prices + " or add it to the file in PROXY_PRICES_FILE.");
        }
        return new ProxyConfig(
                host(env),
                intSetting(env, "PORT", DEFAULT_PORT, 0, 65_535),
                // Same rule as every module: HTTPS, or plain HTTP to this machine only.
                URI.create(OpenAiSettings.baseUrl(env).replaceAll("/+$", "")),
                hash(adminToken),
                intSetting(env, "PROXY_MAX_BODY_BYTES", (int) DEFAULT_MAX_BODY_BYTES, 1_024, 64 * 1_048_576),
                Duration.ofSeconds(intSetting(env, "PROXY_UPSTREAM_TIMEOUT_SECONDS", 60, 1, 600)),
                corsOrigin(env),
                prices,
                chatModel,
                Prices.usdToNano(env.getOrDefault("PROXY_SESSION_BUDGET_USD", "0.05"), "PROXY_SESSION_BUDGET_USD"),
                webhook(env));
    }

    /** A copy with another upstream timeout (tests use a short one). */
    public ProxyConfig withUpstreamTimeout(Duration timeout) {
        return new ProxyConfig(host, port, upstreamBaseUrl, adminTokenHash, maxBodyBytes, timeout, corsOrigin,
                prices, chatModel, sessionBudgetNanoUsd, alertWebhook);
    }

    /** A copy that lets pages from {@code origin} call the proxy from a browser (CORS). */
    public ProxyConfig withCorsOrigin(String origin) {
        return new ProxyConfig(host, port, upstreamBaseUrl, adminTokenHash, maxBodyBytes, upstreamTimeout,
                Optional.of(origin), prices, chatModel, sessionBudgetNanoUsd, alertWebhook);
    }

    /** True when {@code bearer} is the admin token; compared as hashes, in constant time. */
    public boolean isAdminToken(String bearer) {
        return bearer != null && MessageDigest.isEqual(hash(bearer), adminTokenHash);
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String host(Map<String, String> env) {
        String host = env.getOrDefault("HOST", "").strip();
        if (host.isEmpty()) {
            return DEFAULT_HOST;
        }
        if (!host.matches("[A-Za-z0-9.:\\-\\[\\]]{1,255}")) {
            throw new ConfigException("HOST is not a host name or address. Use 127.0.0.1 (this machine only, "
                    + "the default) or the address of one network interface.");
        }
        return host;
    }

    private static int intSetting(Map<String, String> env, String name, int fallback, int min, int max) {
        String raw = env.getOrDefault(name, "").strip();
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below, like a value out of range
        }
        throw new ConfigException(name + " must be a whole number from " + min + " to " + max
                + " (default " + fallback + ").");
    }

    private static Optional<String> corsOrigin(Map<String, String> env) {
        String origin = env.getOrDefault("PROXY_CORS_ORIGIN", "").strip();
        if (origin.isEmpty()) {
            return Optional.empty();
        }
        if (!origin.matches("https?://[A-Za-z0-9.\\-]+(:[0-9]{1,5})?") || origin.equals("*")) {
            throw new ConfigException("PROXY_CORS_ORIGIN must be one origin such as https://app.example.com "
                    + "(scheme, host, optional port; no path, no wildcard).");
        }
        return Optional.of(origin);
    }

    private static String chatModel(Map<String, String> env) {
        String model = env.getOrDefault("PROXY_CHAT_MODEL", "").strip();
        return model.isEmpty() ? OpenAiSettings.DEFAULT_MODEL : model;
    }

    private static Optional<URI> webhook(Map<String, String> env) {
        String url = env.getOrDefault("PROXY_ALERT_WEBHOOK", "").strip();
        if (url.isEmpty()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        boolean loopback = uri != null && "http".equals(uri.getScheme())
                && ("127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost()));
        if (uri == null || uri.getHost() == null || !("https".equals(uri.getScheme()) || loopback)) {
            throw new ConfigException("PROXY_ALERT_WEBHOOK must be an https:// URL (http:// only to 127.0.0.1 "
                    + "or localhost).");
        }
        return Optional.of(uri);
    }

    @JsonValue
    @Override
    public String toString() {
        return "ProxyConfig[host=" + host + ", port=" + port + ", upstream=" + upstreamBaseUrl
                + ", adminToken=(hash), maxBodyBytes=" + maxBodyBytes + ", upstreamTimeout=" + upstreamTimeout
                + ", corsOrigin=" + corsOrigin.orElse("(closed)") + ", chatModel=" + chatModel + "]";
    }
}
