package dev.keysafe.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * Issues and checks client tokens: the credentials browsers, apps and team members get instead
 * of the OpenAI key. A token is 32 random bytes; the store keeps only its SHA-256 hash, so a
 * leaked database holds nothing a client could use.
 */
public final class ClientTokens {

    /** Every client token starts with this, so a scanner (or a person) can tell it from an OpenAI key. */
    public static final String PREFIX = "ksp-";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store store;
    private final Clock clock;

    public ClientTokens(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A token just issued: the record stored, and the secret, which is shown this once. */
    public record Issued(ClientToken token, String secret) {
        @Override
        public String toString() {
            return "Issued[" + token.id() + ", " + token.fingerprint() + "]";
        }
    }

    /** What a token may do, as an admin asks for it. */
    public record Grant(String name, Set<String> models, long budgetNanoUsd, int rpm, int maxTokens,
                        Duration lifetime, String kind) {
    }

    /** Makes a new token for {@code grant} and stores its hash. */
    public Issued issue(Grant grant) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        byte[] idBytes = new byte[8];
        RANDOM.nextBytes(idBytes);
        Instant now = clock.instant();
        ClientToken token = new ClientToken("tok_" + HexFormat.of().formatHex(idBytes), grant.name(), hash(secret),
                fingerprint(secret), grant.models(), grant.budgetNanoUsd(), grant.rpm(), grant.maxTokens(), now,
                now.plus(grant.lifetime()), false, grant.kind());
        store.addToken(token);
        return new Issued(token, secret);
    }

    /**
     * The live token whose secret is {@code bearer}.
     *
     * @throws ProxyError 401 when it is missing, unknown, revoked or expired; the message does not
     *                    say which of the first three, so guessing learns nothing
     */
    public ClientToken authenticate(String bearer) {
        if (bearer == null || bearer.isEmpty()) {
            throw ProxyError.unauthorized("Send a client token as 'Authorization: Bearer <token>'. "
                    + "Ask the proxy's operator for one; an OpenAI key is never accepted here.");
        }
        Optional<ClientToken> found = store.tokenByHash(hash(bearer));
        if (found.isEmpty() || found.get().revoked()) {
            throw ProxyError.unauthorized("This client token is unknown or revoked.");
        }
        if (found.get().expiredAt(clock.instant())) {
            throw ProxyError.unauthorized("This client token has expired: ask for a new one.");
        }
        return found.get();
    }

    /** SHA-256 of a token, hex: the only form the store keeps. */
    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The last four characters, which is all a log line or a listing shows of a secret. */
    public static String fingerprint(String secret) {
        return secret.length() <= 8 ? "...." : "..." + secret.substring(secret.length() - 4);
    }

    /** The bearer token in an Authorization header, or null. */
    public static String bearerOf(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).strip();
    }
}
