package dev.keysafe.perenv;

import dev.keysafe.common.ConfigException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A place the app runs in, each with its own OpenAI key: development (a developer's machine),
 * staging (the last check before users) and production. The ENVIRONMENT setting chooses one.
 */
public enum Environment {
    DEVELOPMENT("OPENAI_API_KEY_DEV"),
    STAGING("OPENAI_API_KEY_STAGING"),
    PRODUCTION("OPENAI_API_KEY_PROD");

    /** The setting that chooses the environment. */
    public static final String SETTING = "ENVIRONMENT";

    /** When ENVIRONMENT is not set: the one whose key can do the least harm. */
    public static final Environment DEFAULT = DEVELOPMENT;

    private final String keyVariable;

    Environment(String keyVariable) {
        this.keyVariable = keyVariable;
    }

    /** The variable holding this environment's key, and no other environment's. */
    public String keyVariable() {
        return keyVariable;
    }

    /** The name ENVIRONMENT uses: {@code development}, {@code staging}, {@code production}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The environment ENVIRONMENT in {@code settings} names (in any letter case), or
     * {@link #DEFAULT} when it is not set.
     *
     * @throws ConfigException for any other value; the message lists the valid ones
     */
    public static Environment from(Map<String, String> settings) {
        String asked = settings.getOrDefault(SETTING, "").strip();
        if (asked.isEmpty()) {
            return DEFAULT;
        }
        for (Environment environment : values()) {
            if (environment.label().equalsIgnoreCase(asked)) {
                return environment;
            }
        }
        // The value is shown only when it looks like a word: a key pasted into the wrong
        // variable must not end up in the error.
        String named = asked.matches("[A-Za-z][A-Za-z_-]{0,19}") ? SETTING + "=" + asked : SETTING;
        String valid = Arrays.stream(values()).map(Environment::label).collect(Collectors.joining(", "));
        throw new ConfigException(named + " is not a known environment. Use one of: " + valid
                + " (unset means " + DEFAULT.label() + ").");
    }
}
