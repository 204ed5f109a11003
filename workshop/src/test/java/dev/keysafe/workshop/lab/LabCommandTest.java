package dev.keysafe.workshop.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kit lab ...} and {@code ./kit progress} as a learner uses them; copies and progress go
 * to a temporary folder (KEYSAFE_WORK), never into the checkout.
 */
class LabCommandTest {

    @TempDir
    Path work;

    private Result kit(String... args) {
        return kitIn(work, args);
    }

    /** The kit called from {@code dir}, as a learner who has cd'ed there. */
    private Result kitIn(Path dir, String... args) {
        return Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(LabCommand.WORK_VARIABLE, work.toString()),
                dir), args);
    }

    @Test
    void list_names_every_lab_with_its_state() {
        Result result = kit("lab", "list");

        assertThat(result.exitCode()).isZero();
        for (Lab lab : Labs.LABS) {
            assertThat(result.out()).contains(lab.id() + "  " + lab.name(), lab.title());
        }
        assertThat(result.out()).contains("[not started]", "./kit progress");
    }

    @Test
    void start_copies_the_starter_into_labs_work_and_refuses_to_overwrite_it() throws Exception {
        Result first = kit("lab", "start", "2");
        Path copy = work.resolve("labs-work/02-logged-key/dev/keysafe/envvars/Ask.java");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(copy).hasSameTextualContentAs(Fixtures.root().resolve("labs/02-logged-key/starter/dev/keysafe/envvars/Ask.java"));
        assertThat(first.out()).contains("edit " + copy, "labs/02-logged-key/README.md", "./kit lab check 02");

        Files.writeString(copy, "// my work\n");
        Result again = kit("lab", "start", "02");
        assertThat(again.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(again.err()).contains("already started", "--over").hasLineCount(1);
        assertThat(copy).hasContent("// my work");

        assertThat(kit("lab", "start", "02", "--over").exitCode()).isZero();
        assertThat(copy).hasSameTextualContentAs(Fixtures.root().resolve("labs/02-logged-key/starter/dev/keysafe/envvars/Ask.java"));
    }

    @Test
    void check_fails_with_hints_then_passes_and_progress_counts_it() throws Exception {
        assertThat(kit("lab", "start", "01").exitCode()).isZero();
        Path copy = work.resolve("labs-work/01-history");

        Result failing = kit("lab", "check", "01");
        assertThat(failing.exitCode()).isEqualTo(1);
        assertThat(failing.out()).contains("NOT YET", "hint: ", "sk-keysa***", "./kit lab hint 01");
        assertThat(kit("progress").out()).contains("labs solved: 0 of " + Labs.LABS.size(), "01  [started]",
                "next: ./kit lab check 01");

        HistoryRewrite.apply(copy);
        Result passing = kit("lab", "check", "01");

        assertThat(passing.exitCode()).as(passing.out()).isZero();
        assertThat(passing.out()).contains("PASSED: lab 01 is solved. No branch or tag reaches the key any more")
                // Lab 01 makes no API call: saying the key reached the API would be untrue.
                .doesNotContain("reached the API");
        assertThat(work.resolve(".keysafe/progress.json")).isRegularFile();
        assertThat(kit("progress").out()).contains("labs solved: 1 of " + Labs.LABS.size(), "01  [passed]",
                "next: ./kit lab start 02");
    }

    @Test
    void hints_come_one_at_a_time_saying_how_many_remain_and_all_shows_only_those_taken() {
        Lab lab = Labs.require("04");
        int total = lab.hints().size();

        Result none = kit("lab", "hint", "04", "--all");
        Result first = kit("lab", "hint", "04");
        Result second = kit("lab", "hint", "4");
        Result taken = kit("lab", "hint", "04", "--all");

        assertThat(none.out()).contains("no hint taken yet").doesNotContain(lab.hints().get(0));
        assertThat(first.out()).contains("hint 1 of " + total + ": " + lab.hints().get(0), (total - 1) + " more: ./kit lab hint 04")
                .doesNotContain(lab.hints().get(1));
        assertThat(second.out()).contains("hint 2 of " + total + ": " + lab.hints().get(1))
                .doesNotContain(lab.hints().get(0));
        assertThat(taken.out()).contains(lab.hints().get(0), lab.hints().get(1)).doesNotContain(lab.hints().get(2));
        for (int i = 2; i < total; i++) {
            assertThat(kit("lab", "hint", "04").out()).contains("hint " + (i + 1) + " of " + total);
        }
        Result beyond = kit("lab", "hint", "04");
        assertThat(beyond.exitCode()).isZero();
        assertThat(beyond.out()).contains("no hints left", "./kit lab solution 04");
        // Kept per lab in the progress file: another lab starts at its first hint.
        assertThat(kit("lab", "hint", "02").out()).contains("hint 1 of ");
    }

    @Test
    void the_solution_is_only_behind_lab_solution() {
        Result solution = kit("lab", "solution", "04");
        Result history = kit("lab", "solution", "01");

        assertThat(solution.out()).contains("04-per-environment/src/main/java/dev/keysafe/perenv/EnvironmentKey.java",
                "diff ");
        assertThat(history.out()).contains("git checkout --orphan clean", "git tag -d v0.1");
        for (Lab lab : Labs.LABS) {
            String text = Labs.readme(Fixtures.root(), lab);
            assertThat(text).as("labs/%s/README.md gives no solution", lab.name())
                    .doesNotContain("## Solution", "git checkout --orphan", "git tag -d")
                    .contains("./kit lab solution " + lab.id());
        }
    }

    @Test
    void check_without_a_number_checks_the_lab_whose_folder_you_are_in_even_below_it() throws Exception {
        assertThat(kit("lab", "start", "01").exitCode()).isZero();
        assertThat(kit("lab", "start", "04").exitCode()).isZero();
        Path inside = Files.createDirectories(work.resolve("labs-work/01-history/notes"));

        Result result = kitIn(inside, "lab", "check");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.out()).contains("lab 01, the lab whose folder you are in", "checking lab 01", "NOT YET");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void check_without_a_number_elsewhere_checks_the_lab_started_last_or_says_which_labs_exist() throws Exception {
        Result nothingStarted = kit("lab", "check");

        assertThat(nothingStarted.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(nothingStarted.err()).contains("which lab?", "01, 02, 03, 04, 05, 06", "./kit lab start 01")
                .doesNotContain("Missing required parameter", "./kit check").hasLineCount(1);

        assertThat(kit("lab", "start", "01").exitCode()).isZero();
        Result last = kit("lab", "check");

        assertThat(last.out()).contains("lab 01, the lab you started last", "checking lab 01");
    }

    @Test
    void a_usage_error_under_lab_suggests_that_commands_own_help() {
        Result result = kit("lab", "check", "01", "--bogus");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("Try: ./kit lab check --help").doesNotContain("./kit check --help");
    }

    @Test
    void a_failed_check_explains_every_channel_code_it_shows() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "02");
        assertThat(kit("lab", "start", "02").exitCode()).isZero();

        Result result = kit("lab", "check", "02");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("codes: ");
        java.util.regex.Matcher code = java.util.regex.Pattern.compile("\\bC(\\d{1,2})\\b").matcher(result.out());
        while (code.find()) {
            assertThat(result.out()).contains(code.group() + " = ");
        }
    }

    @Test
    void unknown_or_unstarted_labs_exit_64_with_one_line() {
        Result unknown = kit("lab", "check", "77");
        Result notStarted = kit("lab", "check", "03");

        assertThat(unknown.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(unknown.err()).contains("unknown lab '77'", "./kit lab list").hasLineCount(1);
        assertThat(notStarted.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(notStarted.err()).contains("lab 03 is not started: ./kit lab start 03").hasLineCount(1);
    }
}
