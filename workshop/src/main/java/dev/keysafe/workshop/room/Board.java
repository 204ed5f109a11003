package dev.keysafe.workshop.room;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.lab.Lab;
import dev.keysafe.workshop.room.Room.Participant;
import java.time.Instant;
import java.util.List;

/**
 * The board: what the room shows to everyone, on the projector and at {@code GET /board}. Built
 * from the room's state, field by field, so it holds names and lab progress and nothing the board
 * must not show: no token or its digest, no join code, no admin token.
 */
final class Board {

    /** Shown with every solve: what the room can and cannot know. */
    static final String SELF_REPORTED = "Solves are self-reported: the participant's own ./kit lab check passed "
            + "on their laptop; the room cannot rerun it. A workshop is not an exam.";

    private Board() {
    }

    /**
     * The board for {@code snapshot}: {@code participants}, each with {@code name}, {@code labs}
     * (lab number to {@code started} or {@code solved}), {@code hints}, {@code last_progress},
     * {@code solves} (what each solve's check attested, marked self-reported) and {@code left};
     * and {@code summary}, per lab, how many solved and how many are working on it.
     */
    static ObjectNode of(Room.Snapshot snapshot, List<Lab> labs, Instant now) {
        ObjectNode board = Json.object().put("now", now.toString()).put("self_reported", SELF_REPORTED);
        ArrayNode summary = board.putArray("summary");
        for (Lab lab : labs) {
            long solved = snapshot.participants().stream().map(p -> p.labs().get(lab.id()))
                    .filter(r -> r != null && r.solve() != null).count();
            long started = snapshot.participants().stream().filter(p -> p.labs().containsKey(lab.id())).count();
            summary.addObject().put("lab", lab.id()).put("title", lab.title()).put("solved", solved)
                    .put("working", started - solved);
        }
        ArrayNode participants = board.putArray("participants");
        for (Participant p : snapshot.participants()) {
            ObjectNode row = participants.addObject().put("name", p.name());
            ObjectNode states = row.putObject("labs");
            ObjectNode hints = row.putObject("hints");
            ObjectNode solves = row.putObject("solves");
            p.labs().forEach((lab, record) -> {
                states.put(lab, record.state());
                if (record.hints() > 0) {
                    hints.put(lab, record.hints());
                }
                if (record.solve() != null) {
                    solves.putObject(lab).put("at", record.solve().at())
                            .put("check_version", record.solve().checkVersion())
                            .put("digest", record.solve().digest()).put("self_reported", true);
                }
            });
            row.put("last_progress", p.lastProgress());
            row.put("left", p.tokenSha256() == null);
        }
        board.put("participant_count", snapshot.participants().size());
        return board;
    }
}
