package dev.keysafe.workshop.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.Sha256;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Needle;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.lab.Lab;
import dev.keysafe.workshop.lab.LabEvent;
import dev.keysafe.workshop.lab.Labs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A room and two participants on loopback (see {@link TwoParticipants}): the board shows exactly
 * what they did, and nothing secret of theirs is anywhere on the room's side: not in its state
 * (the state file and a snapshot), its log, or the board.
 */
class RoomScenarioTest {

    @TempDir
    static Path dir;
    static TwoParticipants scenario;

    @BeforeAll
    static void run() throws Exception {
        scenario = new TwoParticipants(dir);
    }

    @AfterAll
    static void stop() {
        scenario.close();
    }

    @Test
    void the_board_shows_one_solve_and_a_hint_for_ada_and_one_start_for_bob() throws Exception {
        JsonNode board = scenario.room.board();

        JsonNode ada = board.at("/participants/0");
        JsonNode bob = board.at("/participants/1");
        assertThat(board.path("participants")).hasSize(2);
        assertThat(ada.path("name").asText()).isEqualTo("ada");
        assertThat(json(ada.path("labs"))).isEqualTo(Map.of("02", "solved", "03", "started"));
        assertThat(json(ada.path("hints"))).isEqualTo(Map.of("03", 1));
        assertThat(bob.path("name").asText()).isEqualTo("bob");
        assertThat(json(bob.path("labs"))).isEqualTo(Map.of("04", "started"));
        assertThat(json(bob.path("hints"))).isEmpty();
        assertThat(bob.path("solves").size()).isZero();
        assertThat(ada.path("last_progress").asText()).isNotEmpty();

        JsonNode solve = ada.at("/solves/02");
        assertThat(solve.path("self_reported").asBoolean()).isTrue();
        assertThat(solve.path("check_version").asText()).isEqualTo(Kit.Version.number());
        assertThat(solve.path("digest").asText()).isEqualTo(LabEvent.solved(Labs.require("02"),
                scenario.ada.copyOf("02-logged-key")).attestation().digest());
        assertThat(board.path("self_reported").asText()).contains("self-reported", "not an exam");

        for (Lab lab : Labs.LABS) {
            JsonNode summary = board.path("summary").findParents("lab").stream()
                    .filter(n -> n.path("lab").asText().equals(lab.id())).findFirst().orElseThrow();
            int solved = lab.id().equals("02") ? 1 : 0;
            int working = lab.id().equals("03") || lab.id().equals("04") ? 1 : 0;
            assertThat(summary.path("solved").asInt()).as("lab %s solved", lab.id()).isEqualTo(solved);
            assertThat(summary.path("working").asInt()).as("lab %s working", lab.id()).isEqualTo(working);
        }
    }

    @Test
    void each_token_is_kept_mode_600_on_its_laptop_and_only_as_a_digest_in_the_room() throws Exception {
        for (Participant p : List.of(scenario.ada, scenario.bob)) {
            assertThat(p.membershipFile()).isEqualTo(p.home.resolve(".keysafe/room.json"));
            assertThat(PrivateFile.mode(p.membershipFile())).isIn("rw-------", "");
            assertThat(p.token()).startsWith(RoomSecrets.TOKEN_PREFIX).hasSizeGreaterThan(40);
            assertThat(scenario.room.dump()).contains(Sha256.hex(p.token())).doesNotContain(p.token());
        }
        assertThat(PrivateFile.mode(scenario.room.stateFile)).isIn("rw-------", "");
        assertThat(Files.readString(scenario.room.stateFile)).contains("\"ada\"", "\"bob\"", "solve");
    }

    @Test
    void no_key_token_code_or_line_of_a_participant_is_in_the_rooms_state_log_or_board() throws Exception {
        String stateFile = Files.readString(scenario.room.stateFile);
        String snapshot = scenario.room.dump();
        String log = String.join("\n", scenario.room.log);
        String boardJson = scenario.room.get("board").body();
        String page = scenario.room.get("").body() + scenario.room.get("board.js").body();

        // Useful output first, so a silent failure cannot pass as clean.
        assertThat(log).contains("ada joined", "bob joined", "ada: lab 02 solved (self-reported", "ada: lab 03 hint 1",
                "bob: lab 04 started");
        assertThat(boardJson).contains("\"ada\"", "\"bob\"", "solved");
        assertThat(stateFile).contains("\"ada\"", "tokenSha256");
        assertThat(scenario.ada.read(scenario.adasFix)).contains(scenario.adasNote, scenario.ada.key.value());

        List<Needle> secrets = List.of(scenario.ada.key, scenario.bob.key, Canary.of(scenario.ada.token()),
                Canary.of(scenario.bob.token()), TestRoom.exactly(scenario.room.code),
                Canary.of(scenario.room.adminToken), TestRoom.exactly(scenario.adasNote));
        List<Finding> found = new ArrayList<>();
        for (Needle secret : secrets) {
            found.addAll(Detectors.inText(secret, Channel.C13, "the room's state file", stateFile));
            found.addAll(Detectors.inText(secret, Channel.C8, "a snapshot of the room's state", snapshot));
            found.addAll(Detectors.inObjects(secret, List.of(scenario.room.room)));
            found.addAll(Detectors.inText(secret, Channel.C7, "the room's log", log));
            found.addAll(Detectors.inText(secret, Channel.C3, "GET /board", boardJson));
            found.addAll(Detectors.inText(secret, Channel.C5, "the board page and its script", page));
        }
        assertThat(found).isEmpty();
    }

    @Test
    void the_event_a_laptop_sends_holds_the_lab_the_step_the_time_and_for_a_solve_the_attestation_only() {
        LabEvent solved = LabEvent.solved(Labs.require("02"), scenario.ada.copyOf("02-logged-key"));

        JsonNode body = RoomReporter.body(solved);
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);

        assertThat(fields).containsExactly("lab", "step", "at", "check_version", "digest");
        assertThat(body.path("digest").asText()).matches("[0-9a-f]{64}");
        assertThat(RoomReporter.body(LabEvent.hint(Labs.require("03"), 2)).toString())
                .matches("\\{\"lab\":\"03\",\"step\":\"hint\",\"hint\":2,\"at\":\"[0-9T:.Z-]+\"}");
    }

    private static Map<?, ?> json(JsonNode node) throws Exception {
        return dev.keysafe.common.Json.MAPPER.treeToValue(node, Map.class);
    }
}
