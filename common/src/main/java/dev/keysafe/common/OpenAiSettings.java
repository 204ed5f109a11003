package dev.keysafe.common;

import java.net.URI;
import java.util.Map;

/**
 * The OpenAI settings every module reads the same way, from the environment: where the API is
 * (OPENAI_BASE_URL) and which model to ask (OPENAI_MODEL). No SDK here, so a server that calls
 * OpenAI over plain HTTP (module 06) checks its upstream with the same rule as the CLI modules.
 */
public final class OpenAiSettings {

    /** OpenAI's API, used when OPENAI_BASE_URL is not set. */
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
    /** The model asked when OPENAI_MODEL is not set. */
    public static final String DEFAULT_MODEL = "gpt-4o-mini";

    private OpenAiSettings() {
    }

    /**
     * OPENAI_BASE_URL, or OpenAI's own API. Anything carrying the key must use HTTPS; plain HTTP
     * is allowed only to this machine (a local stub or proxy).
     *
     * @throws ConfigException when it is not a URL, or plain HTTP to another machine
     */
    public static String baseUrl(Map<String, String> env) {
        String url = env.getOrDefault("OPENAI_BASE_URL", "");
        if (url.isBlank()) {
            return DEFAULT_BASE_URL;
        }
        URI uri = parseOrNull(url.strip());
        if (uri == null || uri.getHost() == null || uri.getScheme() == null) {
            throw new ConfigException("OPENAI_BASE_URL is not a valid URL. Use a form like https://api.openai.com/v1.");
        }
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        boolean loopback = uri.getScheme().equalsIgnoreCase("http")
                && (uri.getHost().equals("127.0.0.1") || uri.getHost().equals("localhost") || uri.getHost().equals("[::1]"));
        if (!https && !loopback) {
            throw new ConfigException("OPENAI_BASE_URL must use https:// (plain http:// is allowed only for "
                    + "127.0.0.1 or localhost): the key travels in every request.");
        }
        return url.strip();
    }

    /** OPENAI_MODEL, or {@link #DEFAULT_MODEL}. */
    public static String model(Map<String, String> env) {
        String model = env.getOrDefault("OPENAI_MODEL", "");
        return model.isBlank() ? DEFAULT_MODEL : model.strip();
    }

    private static URI parseOrNull(String url) {
        try {
            return URI.create(url);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
