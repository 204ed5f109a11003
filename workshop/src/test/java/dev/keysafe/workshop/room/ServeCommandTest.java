package dev.keysafe.workshop.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kit room serve}: what it prints, where it listens, and a state file that survives a
 * restart with the participants' tokens still valid and nothing secret in it.
 */
class ServeCommandTest {

    @TempDir
    Path dir;

    private Result kit(String... namesAndValuesThenArgs) {
        return Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), dir), namesAndValuesThenArgs);
    }

    @Test
    void serve_prints_the_join_code_the_board_and_the_admin_token_on_lines_of_their_own() {
        Result served = kit("room", "serve", "--port", "0", "--state", "room.json", "--for-seconds", "0");

        assertThat(served.exitCode()).as(served.err()).isZero();
        assertThat(served.out()).containsPattern("(?m)^join code: [A-Z2-9]{8}$")
                .containsPattern("(?m)^board: http://127\\.0\\.0\\.1:\\d+/$")
                .containsPattern("(?m)^admin token: " + RoomSecrets.ADMIN_PREFIX + "[A-Za-z0-9_-]{43}$")
                .contains("listening on 127.0.0.1 only", "set HOST to this machine's address",
                        "Project the board, not this terminal");
        assertThat(dir.resolve("room.json")).isRegularFile();
    }

    @Test
    void host_must_name_one_interface_never_all_of_them() {
        Result everywhere = Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env("HOST", "0.0.0.0"), dir),
                "room", "serve", "--port", "0", "--for-seconds", "0");
        Result nonsense = Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env("HOST", "my room!"), dir),
                "room", "serve", "--port", "0", "--for-seconds", "0");

        assertThat(everywhere.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(everywhere.err()).contains("every network", "Set HOST to its address on the room's network");
        assertThat(nonsense.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(nonsense.err()).contains("HOST is not a host name or address").doesNotContain("my room!");
    }

    @Test
    void a_state_file_that_is_not_a_rooms_is_a_setting_error_naming_it() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "my shopping list\n");

        Result served = kit("room", "serve", "--port", "0", "--state", "notes.txt", "--for-seconds", "0");

        assertThat(served.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(served.err()).contains("--state", "notes.txt", "is not a room's state file").hasLineCount(1);
        assertThat(dir.resolve("notes.txt")).hasContent("my shopping list");
    }

    @Test
    void a_restart_from_the_state_file_keeps_who_joined_their_progress_and_their_tokens_with_a_new_join_code()
            throws Exception {
        Path state = dir.resolve("room.json");
        String token;
        String firstCode;
        try (TestRoom first = TestRoom.start(state)) {
            firstCode = first.code;
            token = first.join("ada");
            first.post("progress", token, Json.write(Json.object().put("lab", "02").put("step", "started")
                    .put("at", java.time.Instant.now().toString())));
        }
        assertThat(PrivateFile.mode(state)).isIn("rw-------", "");
        assertThat(Files.readString(state)).contains("\"ada\"").doesNotContain(token, firstCode);

        try (TestRoom again = TestRoom.start(state)) {
            int reported = again.post("progress", token, Json.write(Json.object().put("lab", "03").put("step", "started")
                    .put("at", java.time.Instant.now().toString()))).statusCode();

            assertThat(reported).as("ada's token after the restart").isEqualTo(200);
            assertThat(again.board().at("/participants/0/labs").toString()).isEqualTo("{\"02\":\"started\",\"03\":\"started\"}");
            assertThat(again.code).isNotEqualTo(firstCode);
        }
    }
}
