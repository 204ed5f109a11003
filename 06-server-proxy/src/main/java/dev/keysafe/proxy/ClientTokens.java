package dev.keysafe.proxy;

import dev.keysafe.common.Fingerprint;
import dev.keysafe.common.Sha256;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

/**
 * Issues and checks client tokens: the credentials browsers, apps and team members get instead
 * of the OpenAI key. A token is 32 random bytes; the store keeps only its SHA-256 hash, so a
 * leaked database holds nothing a client could use.
 */
public record ClientTokens(TokenStore store, Clock clock) {

    /** Every client token starts with this, so a scanner (or a person) can tell it from an OpenAI key. */
    public static final String PREFIX = "ksp-";

    private static final SecureRandom RANDOM = new SecureRandom();

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

    public Issued issue(Grant grant) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Instant now = clock.instant();
        ClientToken token = new ClientToken("tok_" + HexFormat.of().toHexDigits(RANDOM.nextLong()), grant.name(),
                Sha256.hex(secret), Fingerprint.of(secret), grant.models(), grant.budgetNanoUsd(), grant.rpm(),
                grant.maxTokens(), now, now.plus(grant.lifetime()), false, grant.kind());
        store.addToken(token);
        return new Issued(token, secret);
    }

    /** The live token whose secret is {@code bearer}, or 401: unknown and revoked read alike to a guesser. */
    public ClientToken authenticate(String bearer) {
        if (bearer == null || bearer.isEmpty()) {
            throw ProxyError.unauthorized("Send a client token as 'Authorization: Bearer <token>'. "
                    + "Ask the proxy's operator for one; an OpenAI key is never accepted here.");
        }
        ClientToken found = store.tokenByHash(Sha256.hex(bearer)).filter(token -> !token.revoked())
                .orElseThrow(() -> ProxyError.unauthorized("This client token is unknown or revoked."));
        if (found.expiredAt(clock.instant())) {
            throw ProxyError.unauthorized("This client token has expired: ask for a new one.");
        }
        return found;
    }

    /** The bearer token in an Authorization header, or null. */
    public static String bearerOf(String authorization) {
        boolean bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
        return bearer ? authorization.substring(7).strip() : null;
    }
}
