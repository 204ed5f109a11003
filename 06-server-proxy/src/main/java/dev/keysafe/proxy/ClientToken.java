package dev.keysafe.proxy;

import java.time.Instant;
import java.util.Set;

/**
 * What the proxy knows about one client token: its {@code id} ({@code tok_...}, for admin routes and
 * logs), {@code name} and {@code kind} ({@code client}, or the chat page's {@code session}); what it
 * may do (deny by default: only the {@code models} listed, none when empty; a budget, rate and output
 * cap a {@link Guard} holds it to); the SHA-256 {@code hash} of its secret, by which a presented token
 * is found, and a {@code fingerprint} ({@code ...abcd}). The secret is shown once, never stored.
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
