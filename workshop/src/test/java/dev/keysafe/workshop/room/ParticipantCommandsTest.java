package dev.keysafe.workshop.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import dev.keysafe.workshop.Workspace;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kit room join|status|leave} as a participant uses them, and the promise to the labs:
 * a room that is down costs one warning line and no time to speak of, leaving stops reporting,
 * and without a room nothing changes.
 */
class ParticipantCommandsTest {

    @TempDir
    Path dir;

    @Test
    void join_keeps_the_membership_once_says_what_is_sent_and_refuses_a_second_join() {
        try (TestRoom room = TestRoom.start()) {
            Participant ada = new Participant("ada", dir.resolve("ada"));

            Result joined = ada.kit("room", "join", room.base, room.code, "--name", "ada");
            Result again = ada.kit("room", "join", room.base, room.code, "--name", "ada2");
            Result status = ada.kit("room", "status");

            assertThat(joined.exitCode()).as(joined.err()).isZero();
            assertThat(joined.out()).contains("joined the room at " + room.base + " as ada",
                    ada.membershipFile() + " (mode 600", "Never your code, output, keys or paths", "./kit room leave");
            assertThat(again.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
            assertThat(again.err()).contains("already in the room", "./kit room leave first");
            assertThat(status.out()).contains("in the room at " + room.base + " as ada", ada.membershipFile().toString());
            assertThat(joined.out() + status.out()).doesNotContain(ada.token());
        }
    }

    @Test
    void a_wrong_code_a_bad_url_or_a_bad_name_is_refused_and_nothing_is_kept() {
        try (TestRoom room = TestRoom.start()) {
            Participant eve = new Participant("eve", dir.resolve("eve"));

            Result wrongCode = eve.kit("room", "join", room.base, "WRONG234", "--name", "eve");
            Result badUrl = eve.kit("room", "join", "file:///etc/passwd", room.code, "--name", "eve");
            Result badName = eve.kit("room", "join", room.base, room.code, "--name", "x".repeat(40));

            assertThat(wrongCode.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(wrongCode.err()).contains("the room refused to let you in", "Ask the facilitator");
            assertThat(badUrl.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
            assertThat(badUrl.err()).contains("URL must be the board's address");
            assertThat(badName.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
            assertThat(badName.err()).contains("--name", "1 to 32 printable characters");
            assertThat(eve.membershipFile()).doesNotExist();
        }
    }

    @Test
    void a_room_that_is_down_costs_a_lab_one_warning_line_and_the_lab_goes_on() {
        Participant ada = new Participant("ada", dir.resolve("ada"));
        TestRoom room = TestRoom.start();
        ada.ok("room", "join", room.base, room.code, "--name", "ada");
        room.close();

        long started = System.nanoTime();
        Result start = ada.kit("lab", "start", "02");
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(start.exitCode()).isZero();
        assertThat(start.out()).contains("lab 02: ", "./kit lab check 02");
        assertThat(start.err()).hasLineCount(1).startsWith("kit: room: the room at " + room.base + " did not answer")
                .contains("the lab goes on").doesNotContain(ada.token());
        assertThat(millis).as("a room that is down must not hold the lab up").isLessThan(3_000);
        assertThat(ada.copyOf("02-logged-key")).isDirectory();
    }

    @Test
    void leave_revokes_the_token_and_stops_reporting() {
        try (TestRoom room = TestRoom.start()) {
            Participant bob = new Participant("bob", dir.resolve("bob"));
            bob.ok("room", "join", room.base, room.code, "--name", "bob");
            String token = bob.token();

            Result left = bob.kit("room", "leave");
            int linesBefore = room.log.size();
            Result start = bob.kit("lab", "start", "04");

            assertThat(left.out()).contains("left the room at " + room.base, "The room revoked your token");
            assertThat(bob.membershipFile()).doesNotExist();
            assertThat(start.exitCode()).isZero();
            assertThat(start.err()).isEmpty();
            assertThat(room.log).hasSize(linesBefore).last().asString().contains("bob left");
            assertThat(room.post("progress", token, "{\"lab\":\"04\",\"step\":\"started\",\"at\":\"2025-01-31T09:30:00Z\"}")
                    .statusCode()).isEqualTo(401);
            assertThat(room.board().at("/participants/0/left").asBoolean()).isTrue();
            assertThat(bob.kit("room", "status").out()).contains("not in a room");
            assertThat(bob.kit("room", "leave").out()).contains("not in a room");
        }
    }

    @Test
    void without_a_room_the_labs_say_nothing_of_rooms_and_keep_no_membership() throws Exception {
        Participant solo = new Participant("solo", dir.resolve("solo"));

        Result start = solo.kit("lab", "start", "03");
        Result hint = solo.kit("lab", "hint", "03");

        assertThat(start.exitCode()).isZero();
        assertThat(hint.exitCode()).isZero();
        assertThat(start.err() + hint.err()).isEmpty();
        assertThat(start.out() + hint.out()).doesNotContainIgnoringCase("room");
        assertThat(solo.membershipFile()).doesNotExist();
        assertThat(Files.list(solo.home.resolve(".keysafe")).map(p -> p.getFileName().toString()))
                .containsExactly("progress.json");
    }

    @Test
    void the_facilitator_changes_the_code_and_removes_someone_with_the_admin_token_from_the_environment_or_a_prompt() {
        try (TestRoom room = TestRoom.start()) {
            room.join("ivan");
            Catalog catalog = Fixtures.catalog();
            Workspace withVariable = Fixtures.workspace(catalog, Fixtures.env(AdminCommand.TOKEN_VARIABLE, room.adminToken), dir);
            Workspace typed = new Workspace(catalog, Fixtures.env(), dir, false, typing(room.adminToken));
            Workspace wrong = new Workspace(catalog, Fixtures.env(), dir, false, typing(RoomSecrets.adminToken()));

            Result code = Fixtures.kit(withVariable, "room", "admin", room.base, "code");
            String newCode = code.out().replaceAll("(?s).*join code: (\\S+).*", "$1");
            Result removed = Fixtures.kit(typed, "room", "admin", room.base, "remove", "ivan");
            Result refused = Fixtures.kit(wrong, "room", "admin", room.base, "reset");
            Result noName = Fixtures.kit(withVariable, "room", "admin", room.base, "remove");

            assertThat(code.exitCode()).as(code.err()).isZero();
            assertThat(newCode).matches("[A-Z2-9]{8}").isNotEqualTo(room.code);
            assertThat(room.post("join", null, "{\"code\":\"" + newCode + "\",\"name\":\"judy\"}").statusCode())
                    .isEqualTo(201);
            assertThat(removed.exitCode()).as(removed.err()).isZero();
            assertThat(removed.out()).contains("removed ivan");
            assertThat(room.board().toString()).doesNotContain("ivan").contains("judy");
            assertThat(refused.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(refused.err()).contains("the room refused", "admin token");
            assertThat(noName.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
            assertThat(code.out() + code.err() + removed.out() + removed.err() + refused.err())
                    .doesNotContain(room.adminToken);
        }
    }

    private static InputStream typing(String line) {
        return new ByteArrayInputStream((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
