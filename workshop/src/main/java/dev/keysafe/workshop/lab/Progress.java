package dev.keysafe.workshop.lab;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.KitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A learner's progress through the labs, kept in {@code .keysafe/progress.json} (git-ignored) in
 * the kit's folder: when each lab was started and when its check first passed.
 */
final class Progress {

    /** The file's content: lab id to an ISO-8601 time. */
    record State(Map<String, String> started, Map<String, String> passed) {
        State {
            started = new TreeMap<>(started == null ? Map.of() : started);
            passed = new TreeMap<>(passed == null ? Map.of() : passed);
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
            return new State(Map.of(), Map.of());
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
