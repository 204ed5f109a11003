package dev.keysafe.envvars;

import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import java.util.Map;

/**
 * Where module 02 gets its key: the OPENAI_API_KEY environment variable, read once at start-up.
 * The environment is given as a parameter so tests can hand in their own.
 */
public final class EnvVarKey {

    /** The variable the key is read from; the name OpenAI's SDKs and tools use too. */
    public static final String VARIABLE = "OPENAI_API_KEY";

    private EnvVarKey() {
    }

    /**
     * The key from {@code env}.
     *
     * @throws ConfigException when the variable is missing or blank; the message names the
     *                         variable and the fix, never a value
     */
    public static ApiKey from(Map<String, String> env) {
        String value = env.get(VARIABLE);
        if (value == null || value.isBlank()) {
            throw new ConfigException(VARIABLE + " is not set. Put your key in the environment, "
                    + "e.g. export " + VARIABLE + "=... in your shell (see 02-env-vars/README.md).");
        }
        return ApiKey.of(value);
    }
}
