package dev.keysafe.testkit.stub;

/**
 * A failure the stub can be switched into. Error bodies carry the key the client sent, plain and
 * masked, as the worst upstream would, so a module that forwards or wraps them is caught.
 */
public enum Fault {
    /** 401 {@code invalid_api_key}, echoing the key. */
    UNAUTHORIZED_401,
    /** 403, as for a key without access to the project or model. */
    FORBIDDEN_403,
    /** 429 with {@code Retry-After}. */
    RATE_LIMITED_429,
    /** 500 with a body echoing the key. */
    SERVER_ERROR_500,
    /** 503, the engine is overloaded. */
    UNAVAILABLE_503,
    /** The normal answer, but its first byte comes late. */
    SLOW_FIRST_BYTE,
    /** The connection is reset before any response. */
    CONNECTION_RESET,
    /** 200 with a body that is not JSON. */
    MALFORMED_JSON,
    /** 302 to a second host, which must never receive the key. */
    REDIRECT_TO_OTHER_HOST
}
