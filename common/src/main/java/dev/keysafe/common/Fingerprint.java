package dev.keysafe.common;

/**
 * A fingerprint of a secret: its last four characters after three dots ({@code ...abcd}), as
 * OpenAI's dashboard shows a key. Enough to tell two keys or tokens apart in a log or a listing,
 * useless to an attacker. The kit's one way of naming a secret in output.
 */
public final class Fingerprint {

    /** What a secret too short to show four characters of is shown as. */
    public static final String TOO_SHORT = "....";

    private Fingerprint() {
    }

    /** The fingerprint of {@code secret}; {@link #TOO_SHORT} for null or 8 characters or fewer. */
    public static String of(String secret) {
        if (secret == null || secret.length() <= 8) {
            return TOO_SHORT;
        }
        return "..." + secret.substring(secret.length() - 4);
    }
}
