package dev.keysafe.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a secret: the form in which the kit stores a token it must recognise but never
 * show (client tokens, the admin token, a participant's token). The kit's one hash function.
 */
public final class Sha256 {

    private Sha256() {
    }

    /** The digest of {@code text} (UTF-8). */
    public static byte[] of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The digest of {@code bytes}. */
    public static byte[] of(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The digest of {@code text} (UTF-8) as 64 lower-case hex digits. */
    public static String hex(String text) {
        return HexFormat.of().formatHex(of(text));
    }

    /** The digest of {@code bytes} as 64 lower-case hex digits. */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(of(bytes));
    }

    /** True when {@code a} and {@code b} are equal, compared in constant time. */
    public static boolean sameDigest(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
