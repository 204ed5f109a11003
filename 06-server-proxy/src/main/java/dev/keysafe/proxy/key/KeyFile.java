package dev.keysafe.proxy.key;

import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import dev.keysafe.proxy.monitor.Alerts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key in a file (OPENAI_API_KEY_FILE): a mounted secret the platform may replace at any time,
 * written in place or swapped by rename (Kubernetes points a {@code ..data} symlink at a new folder).
 * What it holds must look like a key (one line of letters, digits, {@code -}, {@code _} or {@code .},
 * 16 or more), so a half-written file, a JSON document or a note pasted by mistake is never sent
 * upstream as the key.
 */
final class KeyFile implements UpstreamKey.Source {

    private static final Logger LOG = LoggerFactory.getLogger(KeyFile.class);
    private static final Pattern KEY_SHAPED = Pattern.compile("[A-Za-z0-9._-]{16,1024}");

    private final Path path;

    KeyFile(Path path) {
        this.path = path;
    }

    @Override
    public ApiKey load() {
        String text;
        try {
            text = Files.readString(path).strip();
        } catch (IOException e) {
            // The path is the operator's own setting, but the message stays value-free like the others.
            throw new ConfigException(UpstreamKey.FILE_VARIABLE + " names a file that cannot be read. Point it at a "
                    + "readable file holding only the key.");
        }
        if (!KEY_SHAPED.matcher(text).matches()) {
            throw new ConfigException(UpstreamKey.FILE_VARIABLE + " names a file that is empty or does not hold one "
                    + "key (letters, digits, '-', '_' or '.', 16 or more, on one line). Put only the key in it.");
        }
        return ApiKey.of(text);
    }

    /** What tells one version of the file from the next: the file the path leads to (links followed), its size and time. */
    private record Version(Object fileKey, long size, FileTime modified) {
    }

    /** This version of the file, or null while there is none (deleted, or a link that leads nowhere). */
    private Version version() {
        try {
            BasicFileAttributes file = Files.readAttributes(path, BasicFileAttributes.class);
            return new Version(file.fileKey(), file.size(), file.lastModifiedTime());
        } catch (IOException gone) {
            return null;
        }
    }

    /**
     * The check that keeps {@code key} current with this file, to be run every second or so. A change is read
     * once the file has stayed the same for one check (a file written in place is briefly empty), then used from
     * the next request; a new content that is not a key keeps the key in use and raises
     * {@code upstream_key_file_unusable} on {@code alerts}, once per change.
     */
    Runnable watch(UpstreamKey key, Alerts alerts) {
        return new Runnable() {
            private Version seen = version();
            private boolean settling;

            @Override
            public void run() {
                Version now = version();
                if (!Objects.equals(now, seen)) {
                    seen = now;
                    settling = true;
                    return;
                }
                if (!settling) {
                    return;
                }
                settling = false;
                String before = key.current().fingerprint();
                try {
                    if (key.reload()) {
                        LOG.info("the key file changed: the proxy now uses {} (was {})", key.current().fingerprint(),
                                before);
                    }
                } catch (ConfigException unusable) {
                    LOG.warn("the key file changed but holds no usable key ({}); {} keeps serving",
                            unusable.getMessage(), before);
                    alerts.raise("upstream_key_file_unusable", Map.of("setting", UpstreamKey.FILE_VARIABLE,
                            "key_in_use", before, "action", "put the new key, and only the key, in the file"));
                }
            }
        };
    }
}
