package dev.keysafe.workshop.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.lab.Lab.LabFile;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import dev.keysafe.workshop.shared.WorkDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Every lab can be solved and none is solved already: each starter fails its own check for the
 * reason the lab teaches, and the reference (the module's own file, or the documented procedure)
 * passes it.
 */
@Execution(ExecutionMode.CONCURRENT)
class LabsTest {

    @TempDir
    Path work;

    private List<Problem> checkStarter(String id) throws Exception {
        Lab lab = Labs.require(id);
        Path copy = work.resolve(lab.name());
        Path starter = Fixtures.root().resolve("labs").resolve(lab.name()).resolve("starter");
        for (LabFile file : lab.files()) {
            copy(starter.resolve(file.path()), copy.resolve(file.path()));
        }
        if (lab.start() != null) {
            Files.createDirectories(copy);
            lab.start().prepare(copy);
        }
        return LabCommand.check(Fixtures.catalog(), lab, copy);
    }

    private List<Problem> checkReference(String id) throws Exception {
        Lab lab = Labs.require(id);
        Path copy = work.resolve(lab.name());
        for (LabFile file : lab.files()) {
            copy(Fixtures.root().resolve(file.reference()), copy.resolve(file.path()));
        }
        return LabCommand.check(Fixtures.catalog(), lab, copy);
    }

    private static void copy(Path from, Path to) throws Exception {
        assertThat(from).isRegularFile();
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String whats(List<Problem> problems) {
        return String.join("\n", problems.stream().map(Problem::what).toList());
    }

    @Test
    void every_lab_has_a_text_with_the_five_parts_and_its_starter_files() {
        for (Lab lab : Labs.LABS) {
            String text = Labs.readme(Fixtures.root(), lab);
            assertThat(text).as("labs/%s/README.md", lab.name()).contains("## The scenario", "## What to do",
                    "## How it is checked", "## Why it matters", "## Guidance");
            assertThat(lab.hints()).isNotEmpty();
            for (LabFile file : lab.files()) {
                assertThat(Fixtures.root().resolve("labs").resolve(lab.name()).resolve("starter").resolve(file.path()))
                        .isRegularFile();
                assertThat(Fixtures.root().resolve(file.reference())).isRegularFile();
            }
        }
    }

    @Test
    void lab_01_starter_fails_because_history_still_holds_the_key() throws Exception {
        List<Problem> problems = checkStarter("01");

        assertThat(whats(problems)).contains("history: commit ", "App.java:2  keysafe demo key  sk-keysa***")
                .doesNotContain("working tree");
    }

    @Test
    void lab_01_passes_once_history_is_rewritten_and_fails_when_git_is_thrown_away() throws Exception {
        Lab lab = Labs.require("01");
        Path copy = Files.createDirectories(work.resolve("01"));
        lab.start().prepare(copy);
        // The documented solution: one fresh commit of today's files, the old branch and tag gone.
        try (Git git = Git.open(copy.toFile())) {
            PersonIdent me = new PersonIdent("Learner", "learner@example.invalid");
            git.checkout().setOrphan(true).setName("clean").call();
            git.commit().setMessage("weather-bot, key from the environment").setAuthor(me).setCommitter(me)
                    .setSign(false).call();
            git.branchDelete().setBranchNames("main").setForce(true).call();
            git.branchRename().setOldName("clean").setNewName("main").call();
            git.tagDelete().setTags("v0.1").call();
        }
        assertThat(LabCommand.check(Fixtures.catalog(), lab, copy)).isEmpty();

        WorkDir.delete(copy.resolve(".git"));
        assertThat(whats(LabCommand.check(Fixtures.catalog(), lab, copy))).contains("no longer a git repository");
    }

    @Test
    void lab_02_starter_fails_for_its_debug_line_and_its_forwarded_error() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "02");

        String problems = whats(checkStarter("02"));

        assertThat(problems).contains("a normal run: C7 stderr", "(plain)", "a rejected key: C7 stderr",
                "(masked (OpenAI 401 echo))").doesNotContain("does not compile", "never reached");
    }

    @Test
    void lab_02_reference_module_passes() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "02");

        assertThat(checkReference("02")).isEmpty();
    }

    @Test
    void lab_03_starter_fails_for_its_gitignore_and_its_malformed_line_message() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "03");

        String problems = whats(checkStarter("03"));

        assertThat(problems).contains(".gitignore: .env is not ignored", ".gitignore: .env.local is not ignored",
                "a .env with a malformed line (a stray quote after the key): the error message prints the key (plain)")
                .doesNotContain("a normal run", "does not compile");
    }

    @Test
    void lab_03_reference_module_and_the_kits_gitignore_pass() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "03");

        assertThat(checkReference("03")).isEmpty();
    }

    @Test
    void lab_04_starter_fails_because_staging_sends_the_production_key() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "04");

        String problems = whats(checkStarter("04"));

        assertThat(problems).contains("C21 the production key was sent upstream",
                "did not refuse to start naming OPENAI_API_KEY_STAGING").doesNotContain("a staging run:");
    }

    @Test
    void lab_04_reference_module_passes() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "04");

        assertThat(checkReference("04")).isEmpty();
    }

    @Test
    void lab_05_starter_fails_for_its_debug_line_and_its_disk_cache() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "05");

        String problems = whats(checkStarter("05"));

        assertThat(problems).contains("a normal run: C7 stderr", "a normal run: C20 ", "keysafe-openai-key.cache",
                "a rejected key, the secret stored as JSON: C7 stderr")
                .doesNotContain("does not compile", "never reached", "never asked", "did not");
    }

    @Test
    void lab_05_reference_module_passes() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "05");

        assertThat(checkReference("05")).isEmpty();
    }

    @Test
    void lab_06_starter_fails_because_the_client_token_goes_upstream() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "06");

        String problems = whats(checkStarter("06"));

        assertThat(problems).contains("C21 requests upstream: ", "a credential other than the server's key",
                "a plain call through the proxy failed").doesNotContain("does not compile", "stopped before");
    }

    @Test
    void lab_06_with_only_the_headers_fixed_still_fails_for_the_forwarded_error_body() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "06");
        Lab lab = Labs.require("06");
        Path file = work.resolve("half").resolve(lab.files().get(0).path());
        copy(Fixtures.root().resolve("labs").resolve(lab.name()).resolve("starter").resolve(lab.files().get(0).path()),
                file);
        // The first fix alone: Authorization is no longer passed on.
        String starter = Files.readString(file);
        Files.writeString(file, starter.replace("\"OpenAI-Beta\", \"Authorization\")", "\"OpenAI-Beta\")"));
        assertThat(Files.readString(file)).isNotEqualTo(starter);

        String problems = whats(LabCommand.check(Fixtures.catalog(), lab, work.resolve("half")));

        assertThat(problems).contains("C1 what a client received", "(masked (OpenAI 401 echo))")
                .doesNotContain("C21", "a plain call", "does not compile");
    }

    @Test
    void lab_06_reference_module_passes() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "06");

        assertThat(checkReference("06")).isEmpty();
    }

    @Test
    void a_copy_that_does_not_compile_is_reported_with_file_and_line() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "02");
        Lab lab = Labs.require("02");
        Path file = Files.createDirectories(work.resolve("broken/dev/keysafe/envvars")).resolve("Ask.java");
        Files.writeString(file, "package dev.keysafe.envvars;\npublic final class Ask {\n  int x = ;\n}\n");

        List<Problem> problems = LabCommand.check(Fixtures.catalog(), lab, work.resolve("broken"));

        assertThat(whats(problems)).contains("does not compile: dev/keysafe/envvars/Ask.java:3: ");
    }
}
