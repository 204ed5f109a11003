package dev.keysafe.proxy.key;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import dev.keysafe.proxy.ServerKey;
import dev.keysafe.proxy.monitor.Alerts;
import dev.keysafe.secretsmanager.SecretsManagerKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI key the full proxy holds, as the lesson's {@link ServerKey}: the only key that ever
 * goes upstream. It is read from its {@link Source} (OPENAI_API_KEY, a file, or a secret in AWS
 * Secrets Manager) at start-up and read again when the operator rotates it ({@code POST
 * /admin/rotate}) or when the upstream refuses it, so a new key takes over without a restart. A
 * request keeps the key it started with, so in-flight requests finish on the old one.
 */
public final class UpstreamKey implements ServerKey {

    /** Where the key is read from; called at start-up and on every reload. */
    @FunctionalInterface
    public interface Source {
        ApiKey load();

        /**
         * True when {@link #load()} answers from a cache of the source's own that refreshes itself
         * (Secrets Manager's): it is then asked on every upstream call, so a refreshed key is used
         * at once. Otherwise the key read last is used until the next reload.
         */
        default boolean askedOnEveryCall() {
            return false;
        }

        /** The key read now, past any cache: for a rotation, or after the upstream refused the key. */
        default ApiKey fetchNow() {
            return load();
        }
    }

    /** The variable the key is read from, as in 02-env-vars. */
    public static final String VARIABLE = "OPENAI_API_KEY";
    /** A file holding the key (a mounted secret): watched, and read again on rotation, so the key can change. */
    public static final String FILE_VARIABLE = "OPENAI_API_KEY_FILE";
    /** A secret in AWS Secrets Manager holding the key, as in 05-secrets-manager: read through 05's cache. */
    public static final String SECRET_VARIABLE = SecretsManagerKey.SECRET_ID_VARIABLE;

    /**
     * After a refused key, when the source had nothing newer, how long before the source is asked
     * again: a key revoked without a rotation would otherwise cost one read (with Secrets Manager,
     * one billed call) per request.
     */
    static final Duration PAUSE_AFTER_NOTHING_NEWER = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamKey.class);

    private final Source source;
    private volatile ApiKey current;
    private volatile boolean unreadable;
    private long pausedUntil = System.nanoTime();

    public UpstreamKey(Source source) {
        this.source = source;
        this.current = source.load();
    }

    /**
     * The source named by {@code env}: the secret in OPENAI_SECRET_ID when set (it can be
     * rotated; nothing is fetched yet), else the file in OPENAI_API_KEY_FILE (it can be rotated),
     * else OPENAI_API_KEY (fixed for the life of the process).
     *
     * @throws ConfigException when none is set, or OPENAI_SECRET_ID with another; the message
     *                         names the variables, never a value
     */
    public static Source sourceFrom(Map<String, String> env) {
        if (!setting(env, SECRET_VARIABLE).isEmpty()) {
            for (String other : List.of(VARIABLE, FILE_VARIABLE)) {
                // One source of truth: after a rotation in Secrets Manager a second copy would be stale.
                if (!setting(env, other).isEmpty()) {
                    throw new ConfigException(other + " and " + SECRET_VARIABLE + " are both set. Keep one source of "
                            + "the key: unset " + other + " to read it from Secrets Manager, or unset " + SECRET_VARIABLE
                            + ".");
                }
            }
            return SecretsManagerSource.from(env);
        }
        String file = setting(env, FILE_VARIABLE);
        if (!file.isEmpty()) {
            return new KeyFile(Path.of(file));
        }
        String value = env.get(VARIABLE);
        if (value == null || value.isBlank()) {
            throw new ConfigException(VARIABLE + " is not set (nor " + FILE_VARIABLE + " or " + SECRET_VARIABLE
                    + "). Give the proxy the server's OpenAI key in one of them (see 06-server-proxy/REFERENCE.md).");
        }
        ApiKey key = ApiKey.of(value);
        return () -> key;
    }

    private static String setting(Map<String, String> env, String name) {
        return env.getOrDefault(name, "").strip();
    }

    /** The key for a request about to go upstream. */
    @Override
    public ApiKey current() {
        if (!source.askedOnEveryCall()) {
            return current;
        }
        try {
            ApiKey now = source.load();
            current = now;
            unreadable = false;
            return now;
        } catch (ConfigException e) {
            // A new value without a key in it: the last good key keeps serving, as the cache itself
            // does when Secrets Manager cannot be reached. Said once, by fingerprint.
            if (!unreadable) {
                unreadable = true;
                LOG.warn("the upstream key could not be read ({}); the last good key {} keeps serving",
                        e.getMessage(), current.fingerprint());
            }
            return current;
        }
    }

    /** Reads the key from its source again, past any cache; true when it changed. */
    public synchronized boolean reload() {
        ApiKey before = current();
        ApiKey fresh = source.fetchNow();
        current = fresh;
        unreadable = false;
        return !fresh.sameKeyAs(before);
    }

    /**
     * The key to retry with after the upstream refused {@code refused}: when the source already
     * holds a newer key (another request moved on, or a cache refreshed), that one; otherwise the
     * source is read again, at most once per {@link #PAUSE_AFTER_NOTHING_NEWER} while it has
     * nothing newer. Returns a key equal to {@code refused} when there is nothing newer, and the
     * caller gives up.
     */
    @Override
    public synchronized ApiKey replacementFor(ApiKey refused) {
        ApiKey now = current();
        if (!now.sameKeyAs(refused)) {
            return now;
        }
        if (System.nanoTime() - pausedUntil < 0) {
            return refused;
        }
        try {
            reload();
        } catch (ConfigException unreadableSource) {
            // unchanged: the caller gives up, and the pause below still applies
        }
        if (current.sameKeyAs(refused)) {
            pausedUntil = System.nanoTime() + PAUSE_AFTER_NOTHING_NEWER.toNanos();
        }
        return current;
    }

    /**
     * The check that keeps this key current with its file (OPENAI_API_KEY_FILE), to be run every second or so:
     * a new key written to the file, in place or by rename, is used from the next request, with no rotate call;
     * a new content that is not a key is refused with an alert on {@code alerts}. Does nothing for other sources.
     */
    public Runnable fileWatch(Alerts alerts) {
        return source instanceof KeyFile file ? file.watch(this, alerts) : () -> { };
    }

    /**
     * This key, raising {@code upstream_key_refused} on {@code alerts} when the upstream refuses it
     * for good: the server's key is wrong, revoked or lacks access, and a person must rotate it.
     */
    public ServerKey alertingOn(Alerts alerts) {
        UpstreamKey key = this;
        return new ServerKey() {
            @Override
            public ApiKey current() {
                return key.current();
            }

            @Override
            public ApiKey replacementFor(ApiKey refused) {
                return key.replacementFor(refused);
            }

            @Override
            public void refused(ApiKey refused, int status) {
                alerts.raise("upstream_key_refused", Map.of("status", status, "key", refused.fingerprint(),
                        "action", "the server's OpenAI key is wrong, revoked or lacks access: rotate it"));
            }

            @Override
            public String toString() {
                return key.toString();
            }
        };
    }

    @JsonValue
    @Override
    public String toString() {
        return "UpstreamKey[" + current.fingerprint() + "]";
    }
}
