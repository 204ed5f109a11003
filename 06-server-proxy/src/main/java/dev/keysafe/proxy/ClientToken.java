package dev.keysafe.proxy;

import java.time.Instant;
import java.util.Set;

/**
 * What the proxy knows about one client token: who it is for, what it may do, and the SHA-256
 * hash of the secret (the secret itself is shown once, when it is issued, and never stored).
 * Deny by default: a token may use only the models listed, and an empty list means none.
 *
 * @param id          public identifier, used in admin routes and logs ({@code tok_...})
 * @param hash        SHA-256 of the secret, hex: what a presented token is looked up by
 * @param fingerprint the secret's last four characters ({@code ...abcd}), to tell tokens apart
 * @param kind        {@code client} (issued by an admin) or {@code session} (issued to the chat page)
 */
public record ClientToken(
        String id,
        String name,
        String hash,
        String fingerprint,
        Set<String> models,
        long budgetNanoUsd,
        int rpm,
        int maxTokens,
        Instant createdAt,
        Instant expiresAt,
        boolean revoked,
        String kind) {

    public ClientToken {
        models = Set.copyOf(models);
    }

    public boolean mayUse(String model) {
        return models.contains(model);
    }

    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    public ClientToken asRevoked() {
        return new ClientToken(id, name, hash, fingerprint, models, budgetNanoUsd, rpm, maxTokens, createdAt,
                expiresAt, true, kind);
    }
}
