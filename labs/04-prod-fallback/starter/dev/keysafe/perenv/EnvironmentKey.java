package dev.keysafe.perenv;

import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import java.util.Map;

/**
 * Where module 04 gets its key: the variable of the environment ENVIRONMENT chose, and never
 * another. A staging run that quietly used the production key would spend production's budget
 * and hide that staging is not configured.
 */
public final class EnvironmentKey {

    private EnvironmentKey() {
    }

    /**
     * The key of {@code chosen} from {@code settings}.
     *
     * @throws ConfigException when its variable is not set (no other environment's key, and not
     *                         OPENAI_API_KEY, is used instead), or when two environments are
     *                         configured with the same key; the message names the variables,
     *                         never a value
     */
    public static ApiKey from(Map<String, String> settings, Environment chosen) {
        String value = settings.get(chosen.keyVariable());
        if (value == null || value.isBlank()) {
            value = settings.get(Environment.PRODUCTION.keyVariable());
        }
        if (value == null || value.isBlank()) {
            throw new ConfigException(chosen.keyVariable() + " is not set, and " + Environment.SETTING + "="
                    + chosen.label() + " needs it. Put the " + chosen.label() + " key in the environment or in "
                    + ".env (see 04-per-environment/README.md); no other environment's key, and not "
                    + "OPENAI_API_KEY, is used instead.");
        }
        refuseSharedKeys(settings);
        return ApiKey.of(value);
    }

    /** Two environments sharing a key are one environment: a leak or a limit in one hits both. */
    private static void refuseSharedKeys(Map<String, String> settings) {
        Environment[] all = Environment.values();
        for (int i = 0; i < all.length; i++) {
            for (int j = i + 1; j < all.length; j++) {
                ApiKey first = keyOf(settings, all[i]);
                ApiKey second = keyOf(settings, all[j]);
                if (first != null && second != null && first.sameKeyAs(second)) {
                    throw new ConfigException(all[i].keyVariable() + " and " + all[j].keyVariable()
                            + " hold the same key (" + first.fingerprint() + "). Give each environment its own "
                            + "key: create one per environment in the OpenAI dashboard.");
                }
            }
        }
    }

    private static ApiKey keyOf(Map<String, String> settings, Environment environment) {
        String value = settings.get(environment.keyVariable());
        return value == null || value.isBlank() ? null : ApiKey.of(value);
    }
}
