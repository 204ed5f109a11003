package dev.keysafe.common;

import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * An OpenAI API key: the one type in the kit that holds key material. It hands the value only to
 * the code that builds a client ({@link #reveal()}) and never prints it: {@code toString()} and
 * its JSON form show a fingerprint, the last four characters, which is enough to tell keys apart
 * in a log and useless to an attacker.
 */
public final class ApiKey {

    private final String value;

    private ApiKey(String value) {
        this.value = value;
    }

    /**
     * Wraps a key read from somewhere; surrounding white space (a stray newline in a file) is
     * dropped.
     *
     * @throws IllegalArgumentException when {@code value} is null or blank; the message names no value
     */
    public static ApiKey of(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("an API key cannot be empty");
        }
        return new ApiKey(value.strip());
    }

    /** The key itself, for the one line that gives it to the OpenAI client. Never log it. */
    public String reveal() {
        return value;
    }

    /** The last four characters, as OpenAI's dashboard shows them: {@code ...abcd}. */
    public String fingerprint() {
        return Fingerprint.of(value);
    }

    /** Compares two keys in constant time, without either showing up anywhere. */
    public boolean sameKeyAs(ApiKey other) {
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                other.value.getBytes(StandardCharsets.UTF_8));
    }

    @JsonValue
    @Override
    public String toString() {
        return "ApiKey[" + fingerprint() + "]";
    }
}
