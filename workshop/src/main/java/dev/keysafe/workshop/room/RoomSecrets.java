package dev.keysafe.workshop.room;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * The room's three secrets, made fresh: the join code everyone in the room hears, each
 * participant's token, and the facilitator's admin token. The server keeps none of them, only
 * their SHA-256 digests.
 */
final class RoomSecrets {

    /** No 0/O, 1/I/L: a code read off a whiteboard or heard across a room is typed right. */
    private static final String CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    static final int CODE_LENGTH = 8;
    static final String TOKEN_PREFIX = "ksroom_";
    static final String ADMIN_PREFIX = "ksadmin_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private RoomSecrets() {
    }

    /** A join code: 8 characters, about 40 bits; the rate limit on joins does the rest. */
    static String joinCode() {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < CODE_LENGTH; i++) {
            code.append(CODE_ALPHABET.charAt(RANDOM.nextInt(CODE_ALPHABET.length())));
        }
        return code.toString();
    }

    /** A code as typed, made comparable: case and separators do not count. */
    static String normalizeCode(String typed) {
        return typed.strip().toUpperCase(Locale.ROOT).replace("-", "").replace(" ", "");
    }

    /** A participant's token: 256 random bits. */
    static String participantToken() {
        return TOKEN_PREFIX + random256();
    }

    /** The facilitator's admin token: 256 random bits. */
    static String adminToken() {
        return ADMIN_PREFIX + random256();
    }

    private static String random256() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
