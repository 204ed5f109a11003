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
import java.util.Set;
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

    /**
     * Lab {@code id}'s starter with {@code edits} applied (pairs of text and replacement, each of
     * which must change the file), plus {@code alsoFromReference} copied from the reference:
     * the copy a learner with a weak fix would check.
     */
    private List<Problem> checkEdited(String id, List<String> alsoFromReference, String... edits) throws Exception {
        Lab lab = Labs.require(id);
        Path copy = work.resolve(lab.name() + "-edited");
        Path starter = Fixtures.root().resolve("labs").resolve(lab.name()).resolve("starter");
        for (LabFile file : lab.files()) {
            Path from = alsoFromReference.contains(file.path()) ? Fixtures.root().resolve(file.reference())
                    : starter.resolve(file.path());
            copy(from, copy.resolve(file.path()));
        }
        Path edited = copy.resolve(lab.files().get(0).path());
        String text = Files.readString(edited);
        for (int i = 0; i < edits.length; i += 2) {
            assertThat(text).as("the starter still holds %s", edits[i]).contains(edits[i]);
            text = text.replace(edits[i], edits[i + 1]);
        }
        Files.writeString(edited, text);
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

    /**
     * Comments written for a starter, reviewed as naming no mistake; every other comment of a
     * starter must be its reference file's own (the module's), so none can point at the bug.
     */
    private static final Set<String> NEUTRAL_STARTER_COMMENTS = Set.of(
            "The one way out of the proxy to OpenAI: a fixed URL per route, from configuration, never from a",
            "request. Lab 06's starter: module 06's Upstream as a team changed it; ./kit lab check 06 runs it.",
            "The client headers passed upstream.",
            "The upstream's answer, as text.",
            "The refusal a client gets for an upstream status.");

    @Test
    void no_starter_comment_points_at_the_mistake_each_is_the_modules_own() throws Exception {
        for (Lab lab : Labs.LABS) {
            for (LabFile file : lab.files()) {
                if (!file.path().endsWith(".java")) {
                    continue;
                }
                String reference = String.join(" ", comments(Fixtures.root().resolve(file.reference())));
                Path starter = Fixtures.root().resolve("labs").resolve(lab.name()).resolve("starter").resolve(file.path());
                assertThat(comments(starter)).as("comments of %s that %s does not have", starter, file.reference())
                        .allSatisfy(comment -> assertThat(NEUTRAL_STARTER_COMMENTS.contains(comment)
                                || reference.contains(comment)).as(comment).isTrue());
            }
        }
    }

    /** Each comment line of a Java file, without its markers, as prose. */
    private static List<String> comments(Path java) throws Exception {
        List<String> comments = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(java)) {
            String strip = line.strip();
            int slashes = line.indexOf("//");
            String text = strip.startsWith("/*") || strip.startsWith("*") ? strip.replaceFirst("^/?\\*+/?", "")
                    : slashes >= 0 && !line.substring(0, slashes).contains("\"") ? line.substring(slashes + 2) : "";
            text = text.replaceFirst("\\*/$", "").strip();
            if (!text.isEmpty()) {
                comments.add(text);
            }
        }
        return comments;
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
        HistoryRewrite.apply(copy);
        assertThat(LabCommand.check(Fixtures.catalog(), lab, copy)).isEmpty();

        WorkDir.delete(copy.resolve(".git"));
        assertThat(whats(LabCommand.check(Fixtures.catalog(), lab, copy))).contains("no longer a git repository");
    }

    @Test
    void lab_02_starter_fails_for_its_debug_line_its_forwarded_error_and_its_exit_codes() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "02");

        String problems = whats(checkStarter("02"));

        assertThat(problems).contains("a normal run: C7 stderr", "(plain)", "a rejected key: C7 stderr",
                        "(masked: OpenAI 401 echo)", "a rejected key: it exited 1, not 3",
                        "no OPENAI_API_KEY set: it exited 1, not 2")
                .doesNotContain("does not compile", "never reached", "(masked (");
    }

    @Test
    void lab_02_refuses_a_fix_that_only_hides_the_key_behind_the_exceptions_class_name_and_exit_1() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "02");

        String problems = whats(checkEdited("02", List.of(),
                "err.println(\"DEBUG calling OpenAI with key \" + env.get(\"OPENAI_API_KEY\"));", "",
                "e.getMessage()", "e.getClass().getSimpleName()"));

        assertThat(problems).contains("a rejected key: it exited 1, not 3",
                        "a rejected key: its message does not say the key was refused and what to check: "
                                + "\"OpenAI call failed: ",
                        "no OPENAI_API_KEY set: it exited 1, not 2")
                .doesNotContain("C7", "does not compile");
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
                "a .env with a malformed line 3 (a stray quote after the key): the error message prints the key (plain)",
                "its message does not name the file and the line number: (its message, withheld: it holds the key)")
                .doesNotContain("a normal run", "does not compile");
    }

    @Test
    void lab_03_refuses_a_malformed_line_message_that_names_neither_the_file_nor_the_line() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "03");

        String problems = whats(checkEdited("03", List.of(".gitignore"),
                "\".env could not be read: \" + e.getMessage()", "\"a line could not be read\""));

        assertThat(problems).contains("a .env with a malformed line 3 (a stray quote after the key): its message does"
                        + " not name the file and the line number: \"a line could not be read\"")
                .doesNotContain("prints the key", ".gitignore", "exited", "does not compile");
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

        assertThat(problems).contains("staging chosen, OPENAI_API_KEY_STAGING missing: C21 OPENAI_API_KEY_PROD's key"
                        + " was sent upstream (the production key)",
                "did not refuse to start naming OPENAI_API_KEY_STAGING",
                "development chosen, OPENAI_API_KEY_DEV missing: C21 OPENAI_API_KEY_PROD's key")
                .doesNotContain("a staging run:");
    }

    @Test
    void lab_04_refuses_a_fallback_to_another_environments_key_instead_of_production() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "04");

        String problems = whats(checkEdited("04", List.of(),
                "settings.get(Environment.PRODUCTION.keyVariable())", "settings.get(Environment.DEVELOPMENT.keyVariable())"));

        assertThat(problems).contains("staging chosen, OPENAI_API_KEY_STAGING missing: C21 OPENAI_API_KEY_DEV's key"
                        + " was sent upstream", "did not refuse to start naming OPENAI_API_KEY_STAGING")
                .doesNotContain("OPENAI_API_KEY_PROD's key", "a staging run:", "does not compile");
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
                        "a rejected key, the secret stored as JSON: C7 stderr", "still writes a file (Files.writeString")
                .doesNotContain("does not compile", "never reached", "never asked", "did not");
    }

    @Test
    void lab_05_refuses_a_disk_copy_moved_from_the_temp_folder_to_the_home_folder() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "05");

        String problems = whats(checkEdited("05", List.of(),
                "LOG.debug(\"secret {} refreshed: {}\", secretId, value);", "",
                "System.getProperty(\"java.io.tmpdir\")", "System.getProperty(\"user.home\")"));

        assertThat(problems).contains("a normal run: C13 file home/keysafe-openai-key.cache",
                        "still writes a file (Files.writeString")
                .doesNotContain("C7", "C20", "does not compile");
    }

    @Test
    void lab_05_reference_module_passes() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "05");

        assertThat(checkReference("05")).isEmpty();
    }

    @Test
    void lab_06_starter_fails_because_the_client_token_goes_upstream() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "06");

        List<Problem> checkStarterProblems = checkStarter("06");
        String problems = whats(checkStarterProblems);

        assertThat(problems).contains("C21 requests upstream: ", "a credential other than the server's key",
                "a plain call through the proxy failed").doesNotContain("does not compile", "stopped before");
        // The failed calls are explained by what went upstream, not blamed on the learner's fix.
        Problem plainCall = checkStarterProblems.stream().filter(p -> p.what().startsWith("a plain call")).findFirst()
                .orElseThrow();
        assertThat(plainCall.hint()).contains("follows from the C21 problem above").doesNotContain("must not break");
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

        assertThat(problems).contains("C1 body ", " a client received, an error answer (masked: OpenAI 401 echo)",
                        "a client received OpenAI's own error text")
                .doesNotContain("C21", "a plain call", "does not compile");
    }

    @Test
    void lab_06_refuses_a_fix_that_scrubs_the_key_out_of_openais_error_but_still_forwards_it() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "06");

        String problems = whats(checkEdited("06", List.of(), "\"OpenAI-Beta\", \"Authorization\")", "\"OpenAI-Beta\")",
                "\"OpenAI said: \" + said", "\"OpenAI said: \" + said.replaceAll(\"sk-[A-Za-z0-9*_-]+\", \"(a key)\")"));

        assertThat(problems).contains("a client received OpenAI's own error text")
                .doesNotContain("C1 ", "C21", "a plain call", "does not compile");
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
