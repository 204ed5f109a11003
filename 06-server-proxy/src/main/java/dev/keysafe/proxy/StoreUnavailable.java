package dev.keysafe.proxy;

/**
 * A store (of tokens, budgets, the ledger) cannot answer now: its database is down, say. It says
 * nothing about HTTP: {@link ProxyServer} is the one place that turns it into 503
 * {@code store_unavailable}. A store throws this, never a default that would let a request through.
 */
public final class StoreUnavailable extends RuntimeException {

    /** The {@code Retry-After} a client is sent: long enough for a pool to reconnect. */
    public static final long RETRY_AFTER_SECONDS = 5;
}
