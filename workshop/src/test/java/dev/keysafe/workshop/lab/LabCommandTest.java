package dev.keysafe.workshop.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
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
        return Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(LabCommand.WORK_VARIABLE, work.toString()),
                work), args);
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
        assertThat(Files.readString(copy)).contains("Lab 02's starter");
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

        try (Git git = Git.open(copy.toFile())) {
            PersonIdent me = new PersonIdent("Learner", "learner@example.invalid");
            git.checkout().setOrphan(true).setName("clean").call();
            git.commit().setMessage("today's files only").setAuthor(me).setCommitter(me).setSign(false).call();
            git.branchDelete().setBranchNames("main").setForce(true).call();
            git.tagDelete().setTags("v0.1").call();
        }
        Result passing = kit("lab", "check", "01");

        assertThat(passing.exitCode()).as(passing.out()).isZero();
        assertThat(passing.out()).contains("PASSED: lab 01 is solved");
        assertThat(work.resolve(".keysafe/progress.json")).isRegularFile();
        assertThat(kit("progress").out()).contains("labs solved: 1 of " + Labs.LABS.size(), "01  [passed]",
                "next: ./kit lab start 02");
    }

    @Test
    void hint_and_solution_point_the_way_without_pasting_the_fix() {
        Result hint = kit("lab", "hint", "04");
        Result solution = kit("lab", "solution", "04");
        Result historySolution = kit("lab", "solution", "01");

        assertThat(hint.out()).contains("1. ", Labs.require("04").hints().get(0));
        assertThat(solution.out()).contains("04-per-environment/src/main/java/dev/keysafe/perenv/EnvironmentKey.java",
                "diff ");
        assertThat(historySolution.out()).contains("labs/01-history/README.md");
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
