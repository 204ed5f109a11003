package dev.keysafe.common;

/**
 * A setting is missing or invalid. The message names the setting and the fix, never a value,
 * so it is safe to print as it is.
 */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
