package dev.keysafe.workshop.room;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.Sha256;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A room and two participants on loopback (see {@link TwoParticipants}): the board, as JSON and as
 * a page in a real browser (headless Chromium, one session for the class), shows exactly what
 * they did; nothing secret of theirs is anywhere on the room's side: not in its state (the state
 * file and a snapshot), its log, the board, or the browser; and the page updates live. The tests
 * run in order: the last one changes the room.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoomScenarioTest {

    @TempDir
    static Path dir;
    static TwoParticipants scenario;
    static ChromeDriver browser;

    @BeforeAll
    static void run() throws Exception {
        scenario = new TwoParticipants(dir);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        scenario.close();
    }

    /** The board in the class's one browser session, opened by the first browser test. */
    static void openBoard() {
        Chromium.assumeHere();
        if (browser == null) {
            browser = Chromium.start(dir.resolve("profile"));
            browser.get(scenario.room.base);
            waitFor(b -> cell("bob", "04").getAttribute("data-state").equals("started"));
        }
    }

    @Test
    @Order(1)
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
    @Order(2)
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
    @Order(3)
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

        List<Finding> found = new ArrayList<>();
        for (Needle secret : scenario.secrets()) {
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
    @Order(4)
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

    @Test
    @Order(11)
    void the_page_shows_one_solve_and_a_hint_for_ada_and_one_start_for_bob() {
        openBoard();
        List<String> expected = new ArrayList<>();
        for (String name : List.of("ada", "bob")) {
            expected.add(name + ": " + Labs.LABS.stream().map(Lab::id).map(lab -> lab + "=" + switch (name + lab) {
                case "ada02" -> "solved/0";
                case "ada03" -> "started/1";
                case "bob04" -> "started/0";
                default -> "not started/0";
            }).collect(Collectors.joining(" ")));
        }

        assertThat(rows()).isEqualTo(expected);
        assertThat(script("return Array.from(document.querySelectorAll('#summary tbody tr')).map(r => r.dataset.lab"
                + " + ':' + r.querySelector('.count-solved').textContent + '/' + r.querySelector('.count-working')"
                + ".textContent).join(' ')")).isEqualTo("01:0/0 02:1/0 03:0/1 04:0/1 05:0/0 06:0/0");
        assertThat(cell("ada", "02").getText()).contains("solved");
        assertThat(cell("ada", "02").getAttribute("title")).contains("self-reported");
        assertThat(cell("ada", "03").getText()).contains("started", "1 hint");
        assertThat(cell("bob", "04").getText()).contains("started").doesNotContain("hint");
        assertThat(browser.findElement(By.id("self-reported")).getText()).contains("self-reported", "not an exam");
        assertThat(browser.findElement(By.id("status")).getText()).as("the live stream is open").startsWith("live");
        assertThat(row("ada").findElement(By.cssSelector("td.last")).getText()).isIn("just now", "1 min ago");
    }

    /** Each row of the participants' table as "name: 01=state/hints 02=...", read in one call. */
    @SuppressWarnings("unchecked")
    private static List<String> rows() {
        return (List<String>) script("return Array.from(document.querySelectorAll('#participants tbody tr')).map(r =>"
                + " r.dataset.name + ': ' + Array.from(r.querySelectorAll('td[data-lab]')).map(c => c.dataset.lab + '='"
                + " + c.dataset.state + '/' + c.dataset.hints).join(' '))");
    }

    @Test
    @Order(12)
    void nothing_secret_of_a_participant_is_in_the_page_its_storage_or_its_requests() {
        openBoard();
        String dom = String.valueOf(script("return document.documentElement.outerHTML"));
        String everything = String.join("\n", browser.getPageSource(), dom,
                String.valueOf(script("return JSON.stringify(Object.assign({}, localStorage))")),
                String.valueOf(script("return JSON.stringify(Object.assign({}, sessionStorage))")),
                browser.manage().getCookies().toString());
        String requests = browser.manage().logs().get(LogType.PERFORMANCE).getAll().stream()
                .map(LogEntry::getMessage).collect(Collectors.joining("\n"));

        assertThat(dom).contains("ada", "bob", "solved");
        assertThat(requests).contains("/board/live");
        List<Finding> found = new ArrayList<>();
        for (Needle secret : scenario.secrets()) {
            found.addAll(Detectors.inText(secret, Channel.C5, "the board in the browser", everything));
            found.addAll(Detectors.inText(secret, Channel.C6, "what the browser sent and received", requests));
        }
        assertThat(found).isEmpty();
        assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
                .as("the browser's console: no script error, no blocked script").noneMatch(e -> e.getLevel() == Level.SEVERE);
    }

    @Test
    @Order(13)
    void the_board_updates_live_and_shows_a_name_written_as_markup_as_text() {
        openBoard();
        scenario.bob.ok("lab", "hint", "04");
        String markup = "<img src=x onerror=alert(1)>";
        scenario.room.join(markup);

        waitFor(b -> cell("bob", "04").getAttribute("data-hints").equals("1")
                && b.findElements(By.cssSelector("#participants tbody tr")).size() == 3);

        assertThat(cell("bob", "04").getText()).contains("1 hint");
        WebElement named = browser.findElements(By.cssSelector("#participants tbody tr td.name")).get(2);
        assertThat(named.getText()).isEqualTo(markup);
        assertThat(browser.findElements(By.cssSelector("#participants img"))).isEmpty();
        assertThat(browser.getTitle()).isEqualTo("keysafe room");
        assertThat(rows()).hasSize(3).first().asString().startsWith("ada: 01=not started/0 02=solved/0");
    }

    private static WebElement row(String name) {
        return browser.findElements(By.cssSelector("#participants tbody tr")).stream()
                .filter(r -> name.equals(r.getAttribute("data-name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + name));
    }

    private static WebElement cell(String name, String lab) {
        return row(name).findElement(By.cssSelector("td[data-lab='" + lab + "']"));
    }

    private static String summary(String lab, String column) {
        return browser.findElement(By.cssSelector("#summary tr[data-lab='" + lab + "'] td." + column)).getText();
    }

    private static void waitFor(java.util.function.Function<org.openqa.selenium.WebDriver, Boolean> condition) {
        new WebDriverWait(browser, Duration.ofSeconds(10)).ignoring(AssertionError.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    }

    private static Object script(String code) {
        return ((JavascriptExecutor) browser).executeScript(code);
    }

    private static Map<?, ?> json(JsonNode node) throws Exception {
        return dev.keysafe.common.Json.MAPPER.treeToValue(node, Map.class);
    }
}
