package dev.keysafe.proxy.app;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.keysafe.common.ConfigException;
import dev.keysafe.common.OpenAiSettings;
import dev.keysafe.common.Sha256;
import dev.keysafe.proxy.ProxyConfig;
import dev.keysafe.proxy.limits.Prices;
import dev.keysafe.proxy.store.NanoUsd;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The full server's settings, read once from the environment and checked before anything starts:
 * a missing or wrong setting stops the proxy with a message that names the setting and the fix.
 * Where to listen (HOST, PORT), the lesson's own settings ({@link ProxyConfig}), and what the
 * deployment adds: the admin token (kept only as its SHA-256 hash), the CORS origin, the price
 * table, the chat page's model and budget, the alert webhook. The upstream key is not here
 * ({@code UpstreamKey} holds it), nor where state lives ({@code StoreSettings}, which keeps the
 * database password): this object holds nothing worth printing, and {@code toString()} shows no
 * token.
 */
public record AppConfig(
        String host,
        int port,
        ProxyConfig proxy,
        byte[] adminTokenHash,
        Optional<String> corsOrigin,
        Prices prices,
        String chatModel,
        long sessionBudgetNanoUsd,
        Optional<URI> alertWebhook,
        Housekeeping housekeeping) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;
    public static final int MIN_ADMIN_TOKEN_LENGTH = 24;

    /**
     * The work the full server does in the background, never on a request's path: how often it checks the key
     * file and keeps the store (stale reservations released, old rows deleted), and how long the store keeps
     * ledger rows (PROXY_LEDGER_RETENTION_DAYS) and audit rows (PROXY_AUDIT_RETENTION_DAYS).
     */
    public record Housekeeping(Duration keyFileCheck, Duration storeUpkeep, Duration ledgerRetention,
                               Duration auditRetention) {
        public static final Duration KEY_FILE_CHECK = Duration.ofSeconds(1);
        public static final Duration STORE_UPKEEP = Duration.ofSeconds(30);

        /** A copy with other intervals (tests use short ones). */
        public Housekeeping every(Duration keyFileCheck, Duration storeUpkeep) {
            return new Housekeeping(keyFileCheck, storeUpkeep, ledgerRetention, auditRetention);
        }
    }

    /**
     * The settings in {@code env}.
     *
     * @throws ConfigException naming the first setting that is missing or wrong
     */
    public static AppConfig fromEnv(Map<String, String> env) {
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
        String chatModel = env.getOrDefault("PROXY_CHAT_MODEL", "").strip();
        chatModel = chatModel.isEmpty() ? OpenAiSettings.DEFAULT_MODEL : chatModel;
        if (!prices.knows(chatModel)) {
            throw new ConfigException("PROXY_CHAT_MODEL names a model that is not in the price table: pick one "
                    + "of " + prices + " or add it to the file in PROXY_PRICES_FILE.");
        }
        return new AppConfig(
                host(env),
                ProxyConfig.intSetting(env, "PORT", DEFAULT_PORT, 0, 65_535),
                ProxyConfig.fromEnv(env),
                Sha256.of(adminToken),
                corsOrigin(env),
                prices,
                chatModel,
                NanoUsd.fromUsd(env.getOrDefault("PROXY_SESSION_BUDGET_USD", "0.05"), "PROXY_SESSION_BUDGET_USD"),
                webhook(env),
                new Housekeeping(Housekeeping.KEY_FILE_CHECK, Housekeeping.STORE_UPKEEP,
                        Duration.ofDays(ProxyConfig.intSetting(env, "PROXY_LEDGER_RETENTION_DAYS", 90, 1, 36_500)),
                        Duration.ofDays(ProxyConfig.intSetting(env, "PROXY_AUDIT_RETENTION_DAYS", 365, 1, 36_500))));
    }

    /** A copy with another upstream timeout (tests use a short one). */
    public AppConfig withUpstreamTimeout(Duration timeout) {
        return new AppConfig(host, port, new ProxyConfig(proxy.upstreamBaseUrl(), proxy.maxBodyBytes(), timeout,
                proxy.streamIdleTimeout()), adminTokenHash, corsOrigin, prices, chatModel, sessionBudgetNanoUsd,
                alertWebhook, housekeeping);
    }

    /** A copy with another stream idle timeout (tests use a short one). */
    public AppConfig withStreamIdleTimeout(Duration idle) {
        return new AppConfig(host, port, new ProxyConfig(proxy.upstreamBaseUrl(), proxy.maxBodyBytes(),
                proxy.upstreamTimeout(), idle), adminTokenHash, corsOrigin, prices, chatModel, sessionBudgetNanoUsd,
                alertWebhook, housekeeping);
    }

    /** A copy that lets pages from {@code origin} call the proxy from a browser (CORS). */
    public AppConfig withCorsOrigin(String origin) {
        return new AppConfig(host, port, proxy, adminTokenHash, Optional.of(origin), prices, chatModel,
                sessionBudgetNanoUsd, alertWebhook, housekeeping);
    }

    /** A copy with other background intervals (tests use short ones). */
    public AppConfig withHousekeeping(Duration keyFileCheck, Duration storeUpkeep) {
        return new AppConfig(host, port, proxy, adminTokenHash, corsOrigin, prices, chatModel, sessionBudgetNanoUsd,
                alertWebhook, housekeeping.every(keyFileCheck, storeUpkeep));
    }

    /** True when {@code bearer} is the admin token; compared as hashes, in constant time. */
    public boolean isAdminToken(String bearer) {
        return bearer != null && Sha256.sameDigest(Sha256.of(bearer), adminTokenHash);
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

    private static Optional<String> corsOrigin(Map<String, String> env) {
        String origin = env.getOrDefault("PROXY_CORS_ORIGIN", "").strip();
        if (origin.isEmpty()) {
            return Optional.empty();
        }
        if (!origin.matches("https?://[A-Za-z0-9.\\-]+(:[0-9]{1,5})?")) {
            throw new ConfigException("PROXY_CORS_ORIGIN must be one origin such as https://app.example.com "
                    + "(scheme, host, optional port; no path, no wildcard).");
        }
        return Optional.of(origin);
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

    /** Names and sizes, never the admin token or its hash; its JSON form too. */
    @JsonValue
    @Override
    public String toString() {
        return "AppConfig[host=" + host + ", port=" + port + ", upstream=" + proxy.upstreamBaseUrl()
                + ", adminToken=(hash), maxBodyBytes=" + proxy.maxBodyBytes() + ", upstreamTimeout="
                + proxy.upstreamTimeout() + ", corsOrigin=" + corsOrigin.orElse("(closed)") + ", chatModel="
                + chatModel + "]";
    }
}
