package dev.keysafe.proxy;

/**
 * A refusal the proxy sends a client: an HTTP status and an OpenAI-shaped error whose message the
 * proxy wrote itself. Nothing from the upstream's body ever goes into one, so any ProxyError is
 * safe to show as it is. It carries no stack trace: it is an answer, not a bug.
 */
public final class ProxyError extends RuntimeException {

    /** The HTTP status, and OpenAI's error {@code type} and {@code code}. */
    public final int status;
    public final String type;
    public final String code;
    /** Seconds for {@code Retry-After}; 0 when the refusal is not worth retrying as it is. */
    public final long retryAfterSeconds;

    private ProxyError(int status, String type, String code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ProxyError of(int status, String type, String code, String message) {
        return new ProxyError(status, type, code, message, 0);
    }

    /** A refusal the client may retry after {@code seconds}, sent with a {@code Retry-After} header. */
    public static ProxyError retryLater(int status, String code, String message, long seconds) {
        return new ProxyError(status, status == 429 ? "rate_limit_error" : "server_error", code, message,
                Math.max(1, seconds));
    }

    public static ProxyError badRequest(String code, String message) {
        return of(400, "invalid_request_error", code, message);
    }

    public static ProxyError unauthorized(String message) {
        return of(401, "authentication_error", "invalid_token", message);
    }

    public static ProxyError notFound() {
        return of(404, "not_found", "not_found", "Not found.");
    }

    static ProxyError badGateway(String code, String message) {
        return of(502, "upstream_error", code, message);
    }
}
