package dev.keysafe.workshop.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyShapes;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@code ./kit scan}: true positives in files and history are reported with file, line and
 * commit, masked; look-alikes are not; bad input exits 2. Every fixture is built at run time in a
 * temporary folder: no test scans the kit's own checkout, which rightly holds 01's demo key.
 */
@Execution(ExecutionMode.CONCURRENT)
class ScanCommandTest {

    @TempDir
    Path dir;

    private Result scan(String... args) {
        return Fixtures.kitIn(dir, "scan", args);
    }

    @Test
    void every_real_format_and_the_demo_format_is_found_with_file_line_and_masked_value() throws Exception {
        List<String> keys = List.of(ScratchRepo.realShaped("sk-proj-"), ScratchRepo.realShaped("sk-svcacct-"),
                ScratchRepo.realShaped("sk-admin-"), ScratchRepo.realShaped("sk-"), ScratchRepo.demoShaped());
        StringBuilder config = new StringBuilder("# settings\n");
        for (String key : keys) {
            config.append("key = \"").append(key).append("\"\n");
        }
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/Config.java"), config.toString());

        Result result = scan();

        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(result.out()).contains("working tree  src/Config.java:" + (i + 2) + "  ")
                    .contains(Canary.mask(keys.get(i)))
                    .doesNotContain(keys.get(i));
        }
        assertThat(result.out()).contains("OpenAI project/service/admin key", "OpenAI legacy key", "keysafe demo key",
                "found 5 key-shaped string(s) in 1 file(s)", "revoke");
    }

    @Test
    void every_providers_key_is_found_with_its_rule_file_line_and_masked_value_never_whole() throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("Anthropic API key", KeyShapes.anthropic());
        keys.put("Anthropic admin key", KeyShapes.anthropicAdmin());
        keys.put("AWS access key id", KeyShapes.awsAccessKeyId());
        keys.put("AWS secret access key", KeyShapes.awsSecretAccessKey());
        keys.put("GitHub token", KeyShapes.gitHub('s'));
        keys.put("GitHub fine-grained token", KeyShapes.gitHubFineGrained());
        keys.put("Google API key", KeyShapes.google());
        keys.put("Slack token", KeyShapes.slackUser());
        keys.put("Slack webhook URL", KeyShapes.slackWebhook());
        keys.put("Hugging Face token", KeyShapes.huggingFace());
        keys.put("Stripe live key", KeyShapes.stripeLive());
        StringBuilder env = new StringBuilder("# every provider\n");
        keys.forEach((rule, key) -> env.append(rule.toUpperCase().replaceAll("[^A-Z]+", "_")).append('=').append(key)
                .append('\n'));
        Files.writeString(dir.resolve("all.env"), env.toString());
        String pem = KeyShapes.pemPrivateKey();
        Files.writeString(dir.resolve("id_service"), pem);

        Result result = scan("--no-history");

        assertThat(result.exitCode()).isEqualTo(1);
        int line = 2;
        for (Map.Entry<String, String> key : keys.entrySet()) {
            assertThat(result.out()).contains("working tree  all.env:" + line++ + "  " + key.getKey() + "  "
                    + Canary.mask(key.getValue())).doesNotContain(key.getValue());
        }
        assertThat(result.out()).contains("working tree  id_service:1  private key (PEM)  -----BEGIN PRIVATE KEY----- ")
                .doesNotContain(pem.lines().skip(1).findFirst().orElseThrow())
                .contains("found 12 key-shaped string(s) in 2 file(s).");
    }

    @Test
    void help_documents_the_rules_the_formats_the_baseline_and_allow_comments() {
        Result help = scan("--help");

        assertThat(help.out().replaceAll("\\s+", " ")).contains("--format", "text", "json", "sarif", "--baseline",
                "--write-baseline", "keysafe:allow", "reason", "Anthropic", "AWS", "GitHub", "Google", "Slack",
                "Hugging Face", "Stripe", "PEM", "base64", "UTF-16", "percent-encoding", ".jar/.zip",
                "workshop/SCAN.md");
    }

    @Test
    void look_alikes_are_not_reported_and_a_clean_folder_exits_0() throws Exception {
        Files.writeString(dir.resolve("notes.md"), String.join("\n",
                "pip install scikit-learn  # imported as sk-learn",
                "OPENAI_API_KEY=sk-your-key-here",
                "OPENAI_API_KEY=sk-proj-REPLACE_ME_WITH_YOUR_OWN_KEY",
                "a task-list, a desk-proj-plan, risk-admin-review, ask-svcacct-owner",
                "sk-" + ScratchRepo.random(48),
                ""));

        Result result = scan("--no-history");

        assertThat(result.exitCode()).as(result.out()).isZero();
        assertThat(result.out()).contains("keysafe scan: " + dir, "clean: no key-shaped string found.");
    }

    @Test
    void a_key_deleted_in_a_later_commit_is_still_found_in_history_with_its_commit() {
        String key = ScratchRepo.realShaped("sk-proj-");
        String added;
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("README.md", "hello\n").write("app/Main.java", "class Main {\n  String k = \"" + key + "\";\n}\n");
            added = repo.commitAll("first version");
            repo.delete("app/Main.java").write("app/Main.java", "class Main {\n  String k = System.getenv(\"OPENAI_API_KEY\");\n}\n");
            repo.commitAll("read the key from the environment");
        }

        Result history = scan();
        Result treeOnly = scan("--no-history");

        assertThat(history.exitCode()).as(history.out()).isEqualTo(1);
        assertThat(history.out()).contains("commit " + added + "  app/Main.java:2  OpenAI project/service/admin key  "
                + Canary.mask(key), "1 of them in git history").doesNotContain(key).doesNotContain("working tree  ");
        assertThat(treeOnly.exitCode()).as(treeOnly.out()).isZero();
    }

    @Test
    void a_key_on_another_branch_only_is_found_too() throws Exception {
        String key = ScratchRepo.demoShaped();
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("README.md", "hello\n");
            repo.commitAll("start");
            repo.git.checkout().setCreateBranch(true).setName("experiment").call();
            repo.write("try.properties", "api.key=" + key + "\n");
            String onBranch = repo.commitAll("try it quickly");
            repo.git.checkout().setName("main").call();

            Result result = scan();

            assertThat(dir.resolve("try.properties")).doesNotExist();
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.out()).contains("commit " + onBranch + "  try.properties:1  keysafe demo key");
        }
    }

    @Test
    void untracked_files_are_scanned_but_ignored_ones_are_not() {
        String ignoredKey = ScratchRepo.realShaped("sk-proj-");
        String untrackedKey = ScratchRepo.realShaped("sk-svcacct-");
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write(".gitignore", ".env\n").write("README.md", "hello\n");
            repo.commitAll("ignore .env");
            repo.write(".env", "OPENAI_API_KEY=" + ignoredKey + "\n").write("scratch.txt", "\n\n" + untrackedKey + "\n");
        }

        Result result = scan();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("working tree  scratch.txt:3  ", Canary.mask(untrackedKey))
                .doesNotContain(".env:", Canary.mask(ignoredKey), "commit ");
    }

    @Test
    void staged_mode_reports_only_what_the_next_commit_would_add() {
        String old = ScratchRepo.demoShaped();
        String fresh = ScratchRepo.realShaped("sk-");
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("old.txt", old + "\n");
            repo.commitAll("an old mistake, already in history");
            repo.write("new.txt", "line\n" + fresh + "\n").stage("new.txt").write("unstaged.txt", ScratchRepo.demoShaped());
        }

        Result result = scan("--staged");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("staged  new.txt:2  OpenAI legacy key  " + Canary.mask(fresh),
                "Commit blocked", "environment variable", "git commit --no-verify")
                .doesNotContain("old.txt", "unstaged.txt", fresh);
    }

    @Test
    void staged_mode_is_clean_when_the_staged_change_holds_no_key() {
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("old.txt", ScratchRepo.demoShaped() + "\n");
            repo.commitAll("an old mistake, already in history");
            repo.write("new.txt", "String key = System.getenv(\"OPENAI_API_KEY\");\n").stage("new.txt");
        }

        Result result = scan("--staged");

        assertThat(result.exitCode()).as(result.out()).isZero();
        assertThat(result.out()).contains("(staged changes)", "clean");
    }

    @Test
    void a_path_that_does_not_exist_or_is_a_file_or_is_no_repository_for_staged_exits_2_with_one_line() throws Exception {
        Files.writeString(dir.resolve("file.txt"), "x");

        Result missing = scan("no-such-folder");
        Result file = scan("file.txt");
        Result stagedOutsideGit = scan("--staged");

        assertThat(missing.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(missing.err()).contains("no-such-folder does not exist", "./kit scan PATH").hasLineCount(1);
        assertThat(file.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(file.err()).contains("file.txt is not a folder").hasLineCount(1);
        assertThat(stagedOutsideGit.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(stagedOutsideGit.err()).contains("not in a git repository", "--staged").hasLineCount(1);
    }
}
