package dev.keysafe.workshop.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyShapes;
import dev.keysafe.workshop.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pre-commit hook in a scratch repository, driven by the real {@code git}: a commit adding a
 * key is blocked with the way out, a clean one goes through, {@code --no-verify} gets past. Runs
 * after {@code package}: the hook calls {@code ./kit}, which needs the launcher's jar.
 */
class PreCommitHookIT {

    @TempDir
    Path repo;

    @BeforeEach
    void gitAndPosix() throws Exception {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "the hook is a POSIX sh script");
        assumeTrue(gitWorks(), "git is not installed: the hook cannot be tried");
        assertThat(git("init", "-q", "-b", "main").exit).isZero();
        Fixtures.Result installed = Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), repo),
                "hooks", "install");
        assertThat(installed.exitCode()).as(installed.err()).isZero();
    }

    @Test
    void a_commit_adding_a_key_is_blocked_with_the_way_out_and_a_clean_commit_passes() throws Exception {
        String key = ScratchRepo.realShaped("sk-proj-");
        Files.writeString(repo.resolve("App.java"), "class App {\n  String key = \"" + key + "\";\n}\n");
        assertThat(git("add", "App.java").exit).isZero();

        Run blocked = git("commit", "-q", "-m", "add the app");

        assertThat(blocked.exit).as(blocked.err).isNotZero();
        assertThat(blocked.err).contains("staged  App.java:2", Canary.mask(key), "Commit blocked",
                "environment variable", "git commit --no-verify").doesNotContain(key);
        assertThat(git("rev-parse", "--verify", "-q", "HEAD").exit).as("no commit was made").isNotZero();

        Files.writeString(repo.resolve("App.java"), "class App {\n  String key = System.getenv(\"OPENAI_API_KEY\");\n}\n");
        assertThat(git("add", "App.java").exit).isZero();
        Run clean = git("commit", "-q", "-m", "add the app, key from the environment");

        assertThat(clean.exit).as(clean.err).isZero();
        assertThat(git("rev-parse", "--verify", "-q", "HEAD").exit).isZero();
    }

    @Test
    void no_verify_gets_past_the_hook_for_a_false_positive() throws Exception {
        Files.writeString(repo.resolve("fixture.txt"), ScratchRepo.demoShaped() + "\n");
        assertThat(git("add", "fixture.txt").exit).isZero();

        Run run = git("commit", "-q", "--no-verify", "-m", "a documented fixture");

        assertThat(run.exit).as(run.err).isZero();
    }

    @Test
    void commit_a_which_stages_into_a_temporary_index_is_scanned_too() throws Exception {
        Files.writeString(repo.resolve("settings.py"), "DEBUG = True\n");
        assertThat(git("add", "settings.py").exit).isZero();
        assertThat(git("commit", "-q", "-m", "settings").exit).isZero();
        String key = KeyShapes.anthropic();
        Files.writeString(repo.resolve("settings.py"), "DEBUG = True\nANTHROPIC_API_KEY = '" + key + "'\n");

        Run blocked = git("commit", "-q", "-a", "-m", "quick fix");

        assertThat(blocked.exit).as(blocked.err).isNotZero();
        assertThat(blocked.err).contains("staged  settings.py:2  Anthropic API key  " + Canary.mask(key)).doesNotContain(key);
    }

    @Test
    void findings_in_the_repositorys_baseline_and_allowed_lines_do_not_block_a_commit() throws Exception {
        String old = KeyShapes.openAi("sk-proj-");
        Files.writeString(repo.resolve("legacy.properties"), "openai.key=" + old + "\n");
        assertThat(git("add", ".").exit).isZero();
        assertThat(git("commit", "-q", "--no-verify", "-m", "before the hook: a key, revoked since").exit).isZero();
        Fixtures.Result baseline = Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), repo),
                "scan", "--write-baseline", ".keysafe-baseline.json");
        assertThat(baseline.exitCode()).as(baseline.out() + baseline.err()).isZero();
        Files.writeString(repo.resolve("legacy.properties"), "# revoked; kept until the module is deleted\nopenai.key=" + old + "\n");
        Files.writeString(repo.resolve("ParserTest.java"), "String sample = \"" + KeyShapes.gitHub('p')
                + "\"; // keysafe:allow random sample for the parser, never issued\n");
        assertThat(git("add", ".").exit).isZero();

        Run run = git("commit", "-q", "-m", "touch the legacy file, add the baseline and a parser sample");

        assertThat(run.exit).as(run.err).isZero();
    }

    @Test
    void the_pre_commit_framework_entry_blocks_a_staged_key_with_exit_1() throws Exception {
        String key = KeyShapes.stripeLive();
        Files.writeString(repo.resolve("billing.env"), "STRIPE_KEY=" + key + "\n");
        assertThat(git("add", "billing.env").exit).isZero();

        Run run = command(List.of(Fixtures.root().resolve(HooksCommand.SCAN_SCRIPT).toString()));

        assertThat(run.exit).isEqualTo(1);
        assertThat(run.out).contains("staged  billing.env:1  Stripe live key  " + Canary.mask(key), "Commit blocked")
                .doesNotContain(key);
    }

    private record Run(int exit, String out, String err) {
    }

    private static boolean gitWorks() {
        try {
            return new ProcessBuilder("git", "--version").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Run git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Learner",
                "-c", "user.email=learner@example.invalid", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(args));
        return command(command);
    }

    private Run command(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile());
        builder.environment().keySet().removeIf(n -> n.startsWith("GIT_") || n.startsWith("OPENAI_"));
        builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        builder.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // The hook calls ./kit, which must not start a Maven build inside this one.
        builder.environment().put("KIT_NO_BUILD", "1");
        Process process = builder.start();
        process.getOutputStream().close();
        var out = process.getInputStream();
        var err = process.getErrorStream();
        String errText = new String(err.readAllBytes(), StandardCharsets.UTF_8);
        String outText = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), outText, errText);
    }
}
