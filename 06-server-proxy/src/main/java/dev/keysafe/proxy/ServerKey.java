package dev.keysafe.proxy;

import dev.keysafe.common.ApiKey;

/**
 * The server's OpenAI key, as {@link Upstream} asks for it: the only key that ever goes upstream.
 * A key that rotates (a file, AWS Secrets Manager) offers a newer one after a 401, and is told
 * when the upstream refuses it for good, so that a person can be alerted.
 */
public interface ServerKey {

    /** The key for a request about to go upstream; the request keeps it to the end. */
    ApiKey current();

    /** The key to retry with after the upstream refused {@code refused}; {@code refused} when none is newer. */
    default ApiKey replacementFor(ApiKey refused) {
        return refused;
    }

    /** The upstream refused {@code key} with {@code status} (401, 403), and no retry helped. */
    default void refused(ApiKey key, int status) {
    }

    /** One key for the life of the process, as OPENAI_API_KEY gives it. */
    static ServerKey fixed(ApiKey key) {
        return () -> key;
    }
}
