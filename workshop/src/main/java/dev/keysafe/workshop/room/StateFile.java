package dev.keysafe.workshop.room;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.KitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The room kept on the facilitator's disk ({@code ./kit room serve --state FILE}), mode 600,
 * rewritten whole after every change, so a restart keeps who joined and what they reported. It
 * holds token digests, never a token, and neither the join code nor the admin token: those are
 * new at every start.
 */
final class StateFile {

    private final Path file;
    private final Consumer<String> log;
    private boolean failing;

    StateFile(Path file, Consumer<String> log) {
        this.file = file;
        this.log = log;
    }

    Path path() {
        return file;
    }

    /** The room {@code file} holds; an empty room when there is no such file yet. */
    static Room.Snapshot load(Path file) {
        if (!Files.exists(file)) {
            return new Room.Snapshot(List.of());
        }
        try {
            Room.Snapshot snapshot = Json.MAPPER.readValue(file.toFile(), Room.Snapshot.class);
            for (Room.Participant p : snapshot.participants()) {
                Room.checkName(p.name());
            }
            return snapshot;
        } catch (IOException | Room.Refused | RuntimeException e) {
            throw new KitException("--state " + file + " is not a room's state file (or cannot be read). "
                    + "Give another FILE, or move this one away to start an empty room.", ExitCode.CONFIG);
        }
    }

    /** Writes {@code snapshot}; a failure is one log line (once), and the room goes on in memory. */
    synchronized void save(Room.Snapshot snapshot) {
        try {
            PrivateFile.write(file, Json.writePretty(snapshot) + "\n");
            failing = false;
        } catch (IOException e) {
            if (!failing) {
                log.accept("cannot save the room to " + file + " (" + e.getClass().getSimpleName()
                        + "): it goes on in memory only");
            }
            failing = true;
        }
    }
}
