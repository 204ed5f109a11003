package dev.keysafe.workshop.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Fingerprint;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.lab.LabCommand;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A laptop's place in a workshop room: the room's address, the name the participant chose, and
 * the token the room issued on joining. Kept in {@code .keysafe/room.json} beside the learner's
 * progress (git-ignored, mode 600), so it goes wherever {@code KEYSAFE_WORK} puts the labs and
 * {@code ./kit room leave} or deleting the folder ends it.
 *
 * @param room  the room's base address, ending in {@code /}
 * @param name  the participant's name on the board
 * @param token the participant's token: shown to no one, sent only to {@code room}
 */
record Membership(URI room, String name, String token) {

    /** The file, below the folder where labs-work/ and .keysafe/ live ({@link LabCommand#home}). */
    static Path file(Workspace workspace) {
        return LabCommand.home(workspace).resolve(".keysafe").resolve("room.json");
    }

    /** A file that is there but cannot be used. Its message names the file and the fix. */
    static final class Unreadable extends Exception {
        Unreadable(Path file) {
            super(file + " cannot be read as a room membership. Delete it (./kit room leave) and join again.",
                    null, false, false);
        }
    }

    /** The membership kept in {@code file}; empty when there is none (no room joined). */
    static Optional<Membership> load(Path file) throws Unreadable {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode saved = Json.read(Files.readString(file, StandardCharsets.UTF_8));
            String room = saved.path("room").asText("");
            String name = saved.path("name").asText("");
            String token = saved.path("token").asText("");
            if (room.isEmpty() || name.isEmpty() || token.isEmpty()) {
                throw new Unreadable(file);
            }
            return Optional.of(new Membership(URI.create(room), name, token));
        } catch (IOException | Json.Malformed | IllegalArgumentException e) {
            throw new Unreadable(file);
        }
    }

    void save(Path file) throws IOException {
        ObjectNode saved = Json.object().put("room", room.toString()).put("name", name).put("token", token);
        PrivateFile.write(file, Json.writePretty(saved) + "\n");
    }

    /** Never the token: a membership in a message or a log shows the token's fingerprint. */
    @Override
    public String toString() {
        return "Membership[" + room + ", " + name + ", token " + Fingerprint.of(token) + "]";
    }
}
