package dev.keysafe.proxy;

import java.time.Instant;
import java.util.Set;

/**
 * What the proxy knows about one client token: who it is for ({@code id} {@code tok_...} in admin
 * routes and logs, a {@code name}, a {@code kind}: {@code client} or the chat page's {@code session}),
 * what it may do, and the SHA-256 {@code hash} of its secret, by which a presented token is found;
 * the secret itself is shown once, when issued, and never stored. Deny by default: a token may use
 * only the {@code models} listed, none when the list is empty. Its budget, rate and output cap are
 * what a {@link Guard} holds it to; its {@code fingerprint} ({@code ...abcd}) tells tokens apart.
 */
public record ClientToken(String id, String name, String hash, String fingerprint, Set<String> models,
                          long budgetNanoUsd, int rpm, int maxTokens, Instant createdAt, Instant expiresAt,
                          boolean revoked, String kind) {

    public ClientToken {
        models = Set.copyOf(models);
    }

    public boolean mayUse(String model) {
        return models.contains(model);
    }

    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
