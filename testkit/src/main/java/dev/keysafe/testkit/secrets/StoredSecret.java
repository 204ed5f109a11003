package dev.keysafe.testkit.secrets;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One secret as Secrets Manager keeps it: a name, an ARN, and its versions, each with a value and
 * the staging labels attached to it. A label sits on at most one version at a time; moving
 * {@code AWSCURRENT} hands {@code AWSPREVIOUS} to the version that had it, as AWS does. Versions
 * left without a label stay readable by id but are no longer listed. Not thread-safe: the
 * emulator serialises access.
 */
final class StoredSecret {

    static final String CURRENT = "AWSCURRENT";
    static final String PREVIOUS = "AWSPREVIOUS";

    final String name;
    final String arn;
    final Instant created;
    Instant lastChanged;
    private final Map<String, Version> versions = new LinkedHashMap<>();

    /** One version: its value and the labels on it. */
    static final class Version {
        final String id;
        final String value;
        final Instant created;
        final Set<String> stages = new LinkedHashSet<>();

        Version(String id, String value, Instant created) {
            this.id = id;
            this.value = value;
            this.created = created;
        }
    }

    StoredSecret(String name, String arn, Instant now) {
        this.name = name;
        this.arn = arn;
        this.created = now;
        this.lastChanged = now;
    }

    Optional<Version> version(String id) {
        return Optional.ofNullable(versions.get(id));
    }

    Optional<Version> withStage(String stage) {
        return versions.values().stream().filter(v -> v.stages.contains(stage)).findFirst();
    }

    /** Adds a version and attaches {@code stages} to it, moving each from wherever it was. */
    Version add(String id, String value, List<String> stages, Instant now) {
        Version version = new Version(id, value, now);
        versions.put(id, version);
        for (String stage : stages) {
            attach(stage, version);
        }
        lastChanged = now;
        return version;
    }

    /** Moves {@code stage} to {@code target}; {@code AWSCURRENT} leaves {@code AWSPREVIOUS} behind. */
    void attach(String stage, Version target) {
        Optional<Version> holder = withStage(stage);
        if (holder.isPresent() && holder.get() == target) {
            return;
        }
        holder.ifPresent(old -> old.stages.remove(stage));
        if (stage.equals(CURRENT) && holder.isPresent()) {
            withStage(PREVIOUS).ifPresent(v -> v.stages.remove(PREVIOUS));
            holder.get().stages.add(PREVIOUS);
        }
        target.stages.add(stage);
    }

    void detach(String stage, Version from) {
        from.stages.remove(stage);
    }

    /** Versions that carry at least one label, by id: what DescribeSecret lists. */
    Map<String, List<String>> versionIdsToStages() {
        Map<String, List<String>> listed = new LinkedHashMap<>();
        for (Version version : versions.values()) {
            if (!version.stages.isEmpty()) {
                listed.put(version.id, new ArrayList<>(version.stages));
            }
        }
        return listed;
    }
}
