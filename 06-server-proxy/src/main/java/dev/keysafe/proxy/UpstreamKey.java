package dev.keysafe.proxy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The OpenAI key the proxy holds: the only key that ever goes upstream. It is read from its
 * {@link Source} at start-up and read again when the operator rotates it ({@code POST
 * /admin/rotate}) or when the upstream refuses it, so a new key takes over without a restart.
 * A request keeps the key it started with, so in-flight requests finish on the old one.
 */
public final class UpstreamKey {

    /** Where the key is read from; called at start-up and on every reload. */
    @FunctionalInterface
    public interface Source {
        ApiKey load();
    }

    /** The variable the key is read from, as in 02-env-vars. */
    public static final String VARIABLE = "OPENAI_API_KEY";
    /** A file holding the key (a mounted secret): read again on rotation, so the key can change. */
    public static final String FILE_VARIABLE = "OPENAI_API_KEY_FILE";

    private final Source source;
    private volatile ApiKey current;

    public UpstreamKey(Source source) {
        this.source = source;
        this.current = source.load();
    }

    /**
     * The source named by {@code env}: the file in OPENAI_API_KEY_FILE when set (it can be
     * rotated), else OPENAI_API_KEY (fixed for the life of the process).
     *
     * @throws ConfigException when neither is set; the message names the variables, never a value
     */
    public static Source sourceFrom(Map<String, String> env) {
        String file = env.getOrDefault(FILE_VARIABLE, "");
        if (!file.isBlank()) {
            Path path = Path.of(file.strip());
            return () -> readFile(path);
        }
        String value = env.get(VARIABLE);
        if (value == null || value.isBlank()) {
            throw new ConfigException(VARIABLE + " is not set (nor " + FILE_VARIABLE + "). Give the proxy "
                    + "the server's OpenAI key in one of them (see 06-server-proxy/README.md).");
        }
        ApiKey key = ApiKey.of(value);
        return () -> key;
    }

    private static ApiKey readFile(Path path) {
        try {
            return ApiKey.of(Files.readString(path));
        } catch (IOException | IllegalArgumentException e) {
            // The path is the operator's own setting, but the message stays value-free like the others.
            throw new ConfigException(FILE_VARIABLE + " names a file that cannot be read or is empty. "
                    + "Point it at a readable file holding only the key.");
        }
    }

    /** The key for a request about to go upstream. */
    public ApiKey current() {
        return current;
    }

    /** Reads the key from its source again; true when it changed. */
    public synchronized boolean reload() {
        ApiKey fresh = source.load();
        boolean changed = !fresh.sameKeyAs(current);
        current = fresh;
        return changed;
    }

    /**
     * The key to retry with after the upstream refused {@code refused}: when another request has
     * already moved on to a newer key, that one; otherwise the source is read again. Returns
     * a key equal to {@code refused} when there is nothing newer, and the caller gives up.
     */
    public synchronized ApiKey replacementFor(ApiKey refused) {
        if (!current.sameKeyAs(refused)) {
            return current;
        }
        try {
            reload();
        } catch (ConfigException unreadable) {
            return refused;
        }
        return current;
    }

    @JsonValue
    @Override
    public String toString() {
        return "UpstreamKey[" + current.fingerprint() + "]";
    }
}
