package dev.keysafe.workshop.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The room refuses what it must: a wrong join code, a forged token, a name that is too long or
 * could disguise text, events with anything but the fields an event has, floods of events and
 * joins, admin actions without the admin token. Every refusal is a 4xx with a JSON message, never
 * a 5xx, and every answer carries the security headers.
 */
class RoomSafetyTest {

    static TestRoom room;

    @BeforeAll
    static void start() {
        room = TestRoom.start();
    }

    @AfterAll
    static void stop() {
        room.close();
    }

    @Test
    void a_wrong_join_code_is_refused_with_401_and_admits_no_one() {
        HttpResponse<String> refused = room.post("join", null, join("WRONG234", "eve"));

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(error(refused).path("code").asText()).isEqualTo("wrong_join_code");
        assertThat(error(refused).path("message").asText()).contains("Ask the facilitator");
        assertThat(room.board().toString()).doesNotContain("eve");
        assertThat(room.log).anyMatch(line -> line.contains("wrong join code")).noneMatch(l -> l.contains("WRONG234"));
    }

    @Test
    void a_forged_token_or_none_is_refused_with_401_and_records_nothing() {
        room.join("frank");
        String event = event("02", "started");

        HttpResponse<String> forged = room.post("progress", RoomSecrets.participantToken(), event);
        HttpResponse<String> none = room.post("progress", null, event);

        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(error(forged).path("code").asText()).isEqualTo("unknown_participant");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(participant("frank").path("labs").size()).isZero();
    }

    @Test
    void a_10_kb_name_and_names_that_could_disguise_text_are_refused_with_400() {
        for (String name : List.of("x".repeat(10 * 1024), "", "   ", "a".repeat(33), "ab\u202Edc", "two\nlines",
                "tab\there", "zero\u200Bwidth")) {
            HttpResponse<String> refused = room.post("join", null, join(room.code, name));
            assertThat(refused.statusCode()).as("name of %d chars", name.length()).isEqualTo(400);
            assertThat(error(refused).path("message").asText()).contains("1 to 32 printable characters");
        }
        assertThat(room.post("join", null, join(room.code, "g".repeat(32))).statusCode()).isEqualTo(201);
        assertThat(room.post("join", null, join(room.code, "Zoë O'Neil-Ñ")).statusCode()).isEqualTo(201);
    }

    @Test
    void a_name_with_markup_is_kept_as_the_text_it_is_and_a_taken_name_is_409() {
        String markup = "<img src=x onerror=1>";

        assertThat(room.post("join", null, join(room.code, markup)).statusCode()).isEqualTo(201);
        HttpResponse<String> again = room.post("join", null, join(room.code, markup.toUpperCase()));

        assertThat(participant(markup).path("name").asText()).isEqualTo(markup);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(error(again).path("code").asText()).isEqualTo("name_taken");
    }

    @Test
    void events_with_anything_but_an_events_fields_are_refused_with_400_naming_the_field() {
        String token = room.join("grace");
        String at = Instant.now().toString();
        Map<String, String> bodies = Map.ofEntries(
                Map.entry("not json", "lab 02 started"),
                Map.entry("not an object", "[\"02\"]"),
                Map.entry("an unknown lab", Json.write(Json.object().put("lab", "99").put("step", "started").put("at", at))),
                Map.entry("code riding along", Json.write(Json.object().put("lab", "02").put("step", "started").put("at", at)
                        .put("code", "class Ask {}"))),
                Map.entry("an unknown step", Json.write(Json.object().put("lab", "02").put("step", "won").put("at", at))),
                Map.entry("hint 0", Json.write(Json.object().put("lab", "02").put("step", "hint").put("hint", 0).put("at", at))),
                Map.entry("no time", Json.write(Json.object().put("lab", "02").put("step", "started"))),
                Map.entry("a solve without a digest", Json.write(Json.object().put("lab", "02").put("step", "solved")
                        .put("at", at).put("check_version", "0.1.0"))),
                Map.entry("a digest on a start", Json.write(Json.object().put("lab", "02").put("step", "started")
                        .put("at", at).put("digest", "0".repeat(64)))),
                Map.entry("a check version with a path", Json.write(Json.object().put("lab", "02").put("step", "solved")
                        .put("at", at).put("check_version", "/home/grace/keysafe").put("digest", "a".repeat(64)))),
                Map.entry("a field twice", "{\"lab\":\"02\",\"lab\":\"03\",\"step\":\"started\",\"at\":\"" + at + "\"}"));

        bodies.forEach((what, body) -> {
            HttpResponse<String> refused = room.post("progress", token, body);
            assertThat(refused.statusCode()).as(what).isEqualTo(400);
            assertThat(refused.headers().firstValue("Content-Type")).as(what).hasValue("application/json");
            assertThat(error(refused).path("message").asText()).as(what).isNotBlank();
        });
        assertThat(error(room.post("progress", token, bodies.get("code riding along"))).path("message").asText())
                .contains("'code' is not accepted");
        assertThat(participant("grace").path("labs").size()).isZero();
    }

    @Test
    void other_refusals_are_json_4xx_too_never_5xx() {
        HttpResponse<String> unknownPage = room.get("secrets");
        HttpResponse<String> tooLarge = room.post("join", null, "{\"name\":\"" + "x".repeat(20_000) + "\"}");
        HttpResponse<String> notJson = room.post("join", null, "name=eve");

        assertThat(unknownPage.statusCode()).isEqualTo(404);
        assertThat(error(unknownPage).path("message").asText()).contains("the board is at /");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(error(tooLarge).path("code").asText()).isEqualTo("body_too_large");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(room.log).noneMatch(line -> line.contains("incident"));
    }

    @Test
    void every_answer_carries_the_security_headers_and_the_page_allows_no_inline_script() {
        for (HttpResponse<String> answer : List.of(room.get(""), room.get("board.js"), room.get("board.css"),
                room.get("board"), room.get("nothing-here"), room.post("progress", null, "{}"))) {
            assertThat(answer.headers().firstValue("Content-Security-Policy")).as(answer.uri().toString())
                    .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'", "default-src 'none'")
                            .doesNotContain("unsafe-inline"));
            assertThat(answer.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(answer.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(answer.headers().firstValue("Server")).isEmpty();
        }
        String page = room.get("").body();
        assertThat(page).contains("<script src=\"/board.js\" defer></script>").doesNotContainPattern("<script>|\\son\\w+=");
        assertThat(room.get("board.js").body()).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(");
    }

    @Test
    void admin_actions_need_the_admin_token_which_never_appears_on_the_board() {
        try (TestRoom own = TestRoom.start()) {
            String participant = own.join("heidi");
            own.join("ivan");

            for (String wrong : new String[] {null, participant, RoomSecrets.adminToken()}) {
                HttpResponse<String> refused = own.post("admin/reset", wrong, "{}");
                assertThat(refused.statusCode()).isEqualTo(401);
                assertThat(error(refused).path("message").asText()).contains("admin token");
            }
            HttpResponse<String> newCode = own.post("admin/join-code", own.adminToken, "{}");
            String code = TestRoom.json(newCode.body()).path("join_code").asText();
            HttpResponse<String> removed = own.post("admin/remove", own.adminToken, "{\"name\":\"HEIDI\"}");
            HttpResponse<String> removedAgain = own.post("admin/remove", own.adminToken, "{\"name\":\"heidi\"}");

            assertThat(newCode.statusCode()).isEqualTo(200);
            assertThat(code).hasSize(RoomSecrets.CODE_LENGTH).isNotEqualTo(own.code);
            assertThat(own.post("join", null, join(own.code, "judy")).statusCode()).as("the old code").isEqualTo(401);
            assertThat(own.post("join", null, join(code, "judy")).statusCode()).as("the new code").isEqualTo(201);
            assertThat(removed.statusCode()).isEqualTo(200);
            assertThat(removedAgain.statusCode()).isEqualTo(404);
            assertThat(own.post("progress", participant, event("02", "started")).statusCode())
                    .as("a removed participant's token").isEqualTo(401);
            assertThat(own.board().toString()).doesNotContain("heidi").contains("ivan", "judy");
            assertThat(own.get("board").body() + own.get("").body() + own.get("board.js").body())
                    .doesNotContain(own.adminToken, code, own.code);

            HttpResponse<String> reset = own.post("admin/reset", own.adminToken, "{}");
            assertThat(reset.statusCode()).isEqualTo(200);
            assertThat(own.board().path("participants")).isEmpty();
            assertThat(own.log).contains("room reset: 2 participant(s) removed").noneMatch(l -> l.contains(own.adminToken));
        }
    }

    @Test
    void a_thousand_rapid_events_are_cut_off_with_429_never_a_5xx() throws Exception {
        try (TestRoom own = TestRoom.start()) {
            String token = own.join("mallory");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            List<HttpResponse<Void>> answers = new ArrayList<>();
            long started = System.nanoTime();
            // Eight at a time: a burst from one laptop, without making the test about the machine's sockets.
            for (int batch = 0; batch < 1000 / 8; batch++) {
                List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String body = Json.write(Json.object().put("lab", "05").put("step", "hint").put("hint", 1 + i % 4)
                            .put("at", Instant.now().toString()));
                    sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create(own.base + "progress"))
                            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()));
                }
                sent.forEach(answer -> answers.add(answer.join()));
            }
            long floodMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
            Map<Integer, Long> statuses = answers.stream()
                    .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));

            assertThat(answers).hasSize(1000);
            assertThat(statuses.keySet()).containsOnly(200, 429);
            // The bucket refills while the flood lasts (longer on a busy machine): the burst, plus what
            // refilled in that time, gets in, and not one event more.
            long perMinute = RoomLimits.Kind.EVENT_PER_PARTICIPANT.perMinute;
            long refilled = floodMillis * perMinute / 60_000 + 1;
            assertThat(statuses.get(200)).as("accepted in a flood of %d ms", floodMillis)
                    .isBetween(1L, perMinute + refilled);
            assertThat(statuses.get(429)).isEqualTo(1000L - statuses.get(200));
            assertThat(own.log.stream().filter(l -> l.startsWith("mallory: ")).count()).isEqualTo(statuses.get(200));
            assertThat(own.board().at("/participants/0/hints/05").asInt()).isBetween(1, 4);
        }
    }

    @Test
    void joins_are_rate_limited_per_address() {
        try (TestRoom own = TestRoom.start()) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < RoomLimits.Kind.JOIN.perMinute + 5; i++) {
                statuses.add(own.post("join", null, join("WRONG234", "guess" + i)).statusCode());
            }
            HttpResponse<String> limited = own.post("join", null, join(own.code, "late"));

            assertThat(statuses).containsOnly(401, 429).endsWith(429);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        }
    }

    private static String join(String code, String name) {
        return Json.write(Json.object().put("code", code).put("name", name));
    }

    private static String event(String lab, String step) {
        return Json.write(Json.object().put("lab", lab).put("step", step).put("at", Instant.now().toString()));
    }

    private static JsonNode error(HttpResponse<String> answer) {
        return TestRoom.json(answer.body()).path("error");
    }

    private static JsonNode participant(String name) {
        for (JsonNode p : room.board().path("participants")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no participant " + name + " on the board");
    }
}
