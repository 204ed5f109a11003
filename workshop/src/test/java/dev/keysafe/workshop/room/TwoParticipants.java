package dev.keysafe.workshop.room;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Needle;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import dev.keysafe.workshop.lab.LabEvent;
import dev.keysafe.workshop.lab.Labs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * The scenario, on loopback: a room, and two participants from two folders who join it.
 * Ada starts lab 02, fixes it (pasting her own key and a private note into a comment, which must
 * never reach the room), solves it, starts lab 03 and takes a hint; Bob starts lab 04.
 *
 * <p>Ada's solve is reported through the seam exactly as {@code lab check} reports it after a pass
 * ({@link LabEvent#solved} with her copy): running lab 02's real check takes seconds, and
 * {@code LabEventsTest} proves with a real passing check that this is the call it makes.
 */
final class TwoParticipants implements AutoCloseable {

    final TestRoom room;
    final Participant ada;
    final Participant bob;
    /** Text in Ada's code that only her laptop may hold. */
    final String adasNote = "note-to-self-" + UUID.randomUUID();
    final Path adasFix;

    TwoParticipants(Path dir) throws IOException {
        room = TestRoom.start(dir.resolve("room-state.json"));
        ada = new Participant("ada", dir.resolve("ada"));
        bob = new Participant("bob", dir.resolve("bob"));
        quiet(ada.ok("room", "join", room.base, room.code, "--name", "ada"));
        // The code as heard across the room: lower case works too.
        quiet(bob.ok("room", "join", room.base, room.code.toLowerCase(java.util.Locale.ROOT), "--name", "bob"));

        quiet(ada.ok("lab", "start", "02"));
        Path copy = ada.copyOf("02-logged-key");
        adasFix = copy.resolve("dev/keysafe/envvars/Ask.java");
        Files.writeString(adasFix, Files.readString(Fixtures.root().resolve("02-env-vars/src/main/java/dev/keysafe/envvars/Ask.java"))
                + "\n// " + adasNote + " " + ada.key.value() + "\n");
        StringWriter warnings = new StringWriter();
        RoomReporter.of(ada.workspace).report(LabEvent.solved(Labs.require("02"), copy), new PrintWriter(warnings, true));
        if (!warnings.toString().isEmpty()) {
            throw new AssertionError("the solve was not reported: " + warnings);
        }
        quiet(ada.ok("lab", "start", "03"));
        quiet(ada.ok("lab", "hint", "03"));
        quiet(bob.ok("lab", "start", "04"));
    }

    /**
     * Everything of the scenario that must never reach the room, its board or a browser: both
     * participants' keys and tokens, the join code, the admin token and Ada's private note.
     */
    List<Needle> secrets() {
        return List.of(ada.key, bob.key, Canary.of(ada.token()), Canary.of(bob.token()), TestRoom.exactly(room.code),
                Canary.of(room.adminToken), TestRoom.exactly(adasNote));
    }

    /** A lab command in a live room says nothing about the room. */
    private static void quiet(Result result) {
        if (result.err().contains("room:")) {
            throw new AssertionError("a warning about the room: " + result.err());
        }
    }

    @Override
    public void close() {
        room.close();
    }
}
