package dev.keysafe.workshop.lab;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.KitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A learner's progress through the labs, kept in {@code .keysafe/progress.json} (git-ignored) in
 * the kit's folder: when each lab was started, when its check first passed, and how many of its
 * hints the learner has taken.
 */
final class Progress {

    /** The file's content: lab id to an ISO-8601 time, and lab id to the number of hints taken. */
    record State(Map<String, String> started, Map<String, String> passed, Map<String, Integer> hints) {
        State {
            // Files written before hints were counted have no "hints": none taken.
            started = new TreeMap<>(started == null ? Map.of() : started);
            passed = new TreeMap<>(passed == null ? Map.of() : passed);
            hints = new TreeMap<>(hints == null ? Map.of() : hints);
        }

        /** How many of lab {@code labId}'s hints have been shown. */
        int hintsTaken(String labId) {
            return hints.getOrDefault(labId, 0);
        }

        /** The lab started most recently, if any. */
        Optional<String> lastStarted() {
            return started.entrySet().stream()
                    .max(Comparator.comparing((Map.Entry<String, String> e) -> startedAt(e.getValue())))
                    .map(Map.Entry::getKey);
        }

        private static Instant startedAt(String time) {
            try {
                return Instant.parse(time);
            } catch (DateTimeParseException edited) {
                return Instant.EPOCH;
            }
        }
    }

    private final Path file;

    Progress(Path home) {
        this.file = home.resolve(".keysafe/progress.json");
    }

    Path file() {
        return file;
    }

    State load() {
        if (!Files.isRegularFile(file)) {
            return new State(Map.of(), Map.of(), Map.of());
        }
        try {
            return Json.MAPPER.readValue(file.toFile(), State.class);
        } catch (IOException e) {
            throw new KitException(file + " cannot be read (" + e.getClass().getSimpleName()
                    + "). Delete it to start your progress afresh.");
        }
    }

    void started(String labId) {
        State state = load();
        state.started().putIfAbsent(labId, Instant.now().toString());
        save(state);
    }

    void passed(String labId) {
        State state = load();
        state.started().putIfAbsent(labId, Instant.now().toString());
        state.passed().putIfAbsent(labId, Instant.now().toString());
        save(state);
    }

    /** Notes that one more of lab {@code labId}'s hints was shown; returns how many now are. */
    int tookHint(String labId) {
        State state = load();
        int taken = state.hintsTaken(labId) + 1;
        state.hints().put(labId, taken);
        save(state);
        return taken;
    }

    private void save(State state) {
        try {
            Files.createDirectories(file.getParent());
            // Indented: a learner may open it.
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), state);
        } catch (IOException e) {
            throw new KitException("cannot save progress to " + file + ": " + e.getMessage(), ExitCode.FAILED);
        }
    }
}
