package dev.keysafe.workshop.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.common.Sha256;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyShapes;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Accepting a finding: a baseline silences exactly the findings it recorded and holds no key; a
 * {@code keysafe:allow} comment with a reason silences its value, a bare one does not count. The
 * kit's own demo key is accepted this way, by the comment on its line.
 */
@Execution(ExecutionMode.CONCURRENT)
class ScanAcceptTest {

    private static final String BASELINE = ".keysafe-baseline.json";

    @TempDir
    Path dir;

    private Result scan(String... args) {
        return Fixtures.kitIn(dir, "scan", args);
    }

    @Test
    void write_baseline_records_todays_findings_by_fingerprint_and_the_file_holds_no_key() throws Exception {
        String openAi = KeyShapes.openAi("sk-proj-");
        String aws = KeyShapes.awsAccessKeyId();
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("src/App.java", "class App {\n  String k = \"" + openAi + "\";\n}\n")
                    .write("deploy.env", "AWS_ACCESS_KEY_ID=" + aws + "\n");
            repo.commitAll("old mistakes");
        }

        Result written = scan("--write-baseline", BASELINE);

        assertThat(written.exitCode()).as(written.out() + written.err()).isZero();
        assertThat(written.out()).contains("baseline written: " + dir.resolve(BASELINE) + ", 2 finding(s) by fingerprint");
        String file = Files.readString(dir.resolve(BASELINE));
        JsonNode baseline = Json.read(file);
        assertThat(baseline.get("format").asText()).isEqualTo("keysafe-baseline");
        assertThat(baseline.get("findings").findValuesAsText("fingerprint")).hasSize(2)
                .allMatch(f -> f.matches("[0-9a-f]{64}"));
        assertThat(baseline.get("findings").findValuesAsText("file")).containsExactlyInAnyOrder("src/App.java", "deploy.env");
        for (String key : new String[] {openAi, aws}) {
            assertThat(file).doesNotContain(key).doesNotContain(Canary.mask(key)).doesNotContain(Sha256.hex(key))
                    .doesNotContain(key.substring(key.length() - 8));
        }
    }

    @Test
    void a_baseline_silences_exactly_the_recorded_findings() throws Exception {
        String known = KeyShapes.openAi("sk-proj-");
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("src/App.java", "class App {\n  String k = \"" + known + "\";\n}\n");
            repo.commitAll("an old mistake, revoked since");
        }
        assertThat(scan("--write-baseline", BASELINE).exitCode()).isZero();

        Result accepted = scan("--baseline", BASELINE);
        Files.writeString(dir.resolve("src/App.java"), "// moved down\n\n" + Files.readString(dir.resolve("src/App.java")));
        Result movedDown = scan("--baseline", BASELINE, "--no-history");
        String fresh = KeyShapes.gitHub('p');
        Files.writeString(dir.resolve("ci.yml"), "token: " + fresh + "\n");
        Files.writeString(dir.resolve("debug.log"), "using key " + known + "\n");
        Result newOnes = scan("--baseline", BASELINE, "--no-history");

        assertThat(accepted.exitCode()).as(accepted.out()).isZero();
        assertThat(accepted.out()).contains("clean: nothing new to act on (accepted: 2 in the baseline (" + dir.resolve(BASELINE));
        assertThat(movedDown.exitCode()).as("an edit above does not bring it back: %s", movedDown.out()).isZero();
        assertThat(newOnes.exitCode()).isEqualTo(1);
        assertThat(newOnes.out()).contains("working tree  ci.yml:1  GitHub token  " + Canary.mask(fresh))
                .as("the same key copied somewhere new is new").contains("working tree  debug.log:1  ")
                .doesNotContain("src/App.java").contains("found 2 key-shaped string(s) in 2 file(s).")
                .contains("not reported: 1 in the baseline").doesNotContain(known).doesNotContain(fresh);
    }

    @Test
    void a_missing_malformed_or_unreadable_baseline_stops_the_scan_with_exit_2_and_one_line() throws Exception {
        Files.writeString(dir.resolve("not-json.json"), "{ this is not json");
        Files.writeString(dir.resolve("other.json"), "{\"findings\": []}");
        Files.writeString(dir.resolve("bad-entry.json"), "{\"format\": \"keysafe-baseline\", \"findings\": [{\"fingerprint\": \"abc\"}]}");
        Files.createDirectories(dir.resolve("a-folder.json"));
        Files.writeString(dir.resolve("file.txt"), "x");

        for (String[] args : new String[][] {{"--baseline", "missing.json"}, {"--baseline", "not-json.json"},
                {"--baseline", "other.json"}, {"--baseline", "bad-entry.json"}, {"--baseline", "a-folder.json"},
                {"--write-baseline", "file.txt/baseline.json"}}) {
            Result result = scan(args);

            assertThat(result.exitCode()).as("%s %s: %s", args[0], args[1], result.err()).isEqualTo(ExitCode.CONFIG);
            assertThat(result.err()).hasLineCount(1).contains(args[1]).containsAnyOf("does not exist",
                    "not a keysafe baseline", "cannot read the baseline", "cannot write the baseline");
        }
    }

    @Test
    void an_allow_comment_with_a_reason_silences_its_value_in_this_file_and_in_older_commits() throws Exception {
        String fixture = KeyShapes.openAi("sk-");
        String other = KeyShapes.anthropic();
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("test/Fixture.java", "class Fixture {\n  String k = \"" + fixture + "\";\n}\n");
            repo.commitAll("a fixture, before anyone thought of a comment");
            repo.write("test/Fixture.java", "class Fixture {\n  String k = \"" + fixture
                    + "\"; // keysafe:allow revoked key kept as a parser fixture\n}\n");
            repo.commitAll("accept the fixture");
        }

        Result accepted = scan();
        Files.writeString(dir.resolve("notes.md"), "another: " + other + "\n");
        Result withAnother = scan("--no-history");

        assertThat(accepted.exitCode()).as(accepted.out()).isZero();
        assertThat(accepted.out()).contains("clean: nothing new to act on (accepted: 3 allowed by keysafe:allow comments");
        assertThat(withAnother.exitCode()).isEqualTo(1);
        assertThat(withAnother.out()).contains("notes.md:1  Anthropic API key", "not reported: 1 allowed by keysafe:allow comment.")
                .doesNotContain("Fixture.java").doesNotContain(fixture).doesNotContain(other);
    }

    @Test
    void allow_comments_work_in_every_comment_syntax_and_a_bare_one_does_not_count() throws Exception {
        Files.writeString(dir.resolve("app.yaml"), "key: " + KeyShapes.huggingFace() + "  # keysafe:allow docs sample, revoked\n");
        Files.writeString(dir.resolve("page.html"), "<p>" + KeyShapes.google() + "</p> <!-- keysafe:allow demo page -->\n");
        Files.writeString(dir.resolve("Config.java"), "String k = \"" + KeyShapes.stripeLive() + "\"; /* keysafe:allow test double */\n");
        String bare = KeyShapes.slackBot();
        Files.writeString(dir.resolve("bot.py"), "TOKEN = '" + bare + "'  # keysafe:allow\n");

        Result result = scan("--no-history");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("working tree  bot.py:1  Slack token  " + Canary.mask(bare),
                "    " + Reports.BARE_ALLOW, "found 1 key-shaped string(s) in 1 file(s).",
                "not reported: 3 allowed by keysafe:allow comments.").doesNotContain(bare);
    }

    @Test
    void the_kits_own_demo_key_is_accepted_by_the_comment_on_its_line_and_found_without_it() throws Exception {
        Path source = Fixtures.root().resolve("01-hardcoded-bad/src/main/java/dev/keysafe/hardcoded/HardcodedKey.java");
        String text = Files.readString(source);
        Files.writeString(dir.resolve("HardcodedKey.java"), text);

        Result accepted = scan("--no-history", "--format", "json");
        Files.writeString(dir.resolve("HardcodedKey.java"), text.replaceAll(" *//\\s*keysafe:allow[^\n]*", ""));
        Result withoutComment = scan("--no-history");

        assertThat(accepted.exitCode()).as(accepted.out()).isZero();
        JsonNode report = Json.read(accepted.out());
        assertThat(report.get("findings").size()).isZero();
        assertThat(report.at("/allowed/0/where").asText()).as("the comment sits on the key's own line").isEqualTo("HardcodedKey.java:13");
        assertThat(report.at("/allowed/0/reason").asText()).isEqualTo("demo key of the negative control");
        assertThat(withoutComment.exitCode()).isEqualTo(1);
        assertThat(withoutComment.out()).contains("working tree  HardcodedKey.java:13  keysafe demo key  sk-keysa***Code");
    }

    @Test
    void the_staged_scan_takes_the_baseline_so_a_commit_touching_an_accepted_file_goes_through() {
        String known = KeyShapes.openAi("sk-proj-");
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("src/App.java", "class App {\n  String k = \"" + known + "\";\n}\n");
            repo.commitAll("an old mistake, revoked since");
            assertThat(scan("--write-baseline", BASELINE).exitCode()).isZero();
            repo.write("src/App.java", "// a new comment\nclass App {\n  String k = \"" + known + "\";\n}\n").stage("src/App.java");
        }

        Result withBaseline = scan("--staged", "--baseline", BASELINE);
        Result without = scan("--staged");

        assertThat(withBaseline.exitCode()).as(withBaseline.out()).isZero();
        assertThat(without.exitCode()).isEqualTo(1);
        assertThat(without.out()).contains("staged  src/App.java:3").doesNotContain(known);
    }
}
