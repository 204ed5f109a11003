package dev.keysafe.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every command-line module passes: the key reaches the upstream API and nowhere
 * else. A module's integration test extends this class and says two things: how its app is
 * started and given the key ({@link #launch(Keysafe)}, with the same public API a team uses on
 * its own app) and which of its objects hold one ({@link #keyHolders(Canary)}).
 *
 * <p>For the happy path and every fault, the contract runs the module as its own JVM against a
 * stub of its own, then holds it to {@link Keysafe#leaks()}: the canary reached the stub, the
 * module answered or failed cleanly, and the canary, in every form, appears in none of the
 * channels a command-line app has: C1, C7-C11, C13-C16, C20, C21.
 *
 * <p>Run it from Failsafe (a class named {@code *IT}): the build-output check needs the jar.
 */
public abstract class CliLeakContract {

    /**
     * How the module is started and given the test's key, e.g.
     * {@code keysafe.app("dev.keysafe.envvars.Ask").withOpenAiKeyIn("OPENAI_API_KEY")}; the stub's
     * URL is already its OPENAI_BASE_URL.
     */
    protected abstract AppLaunch launch(Keysafe keysafe);

    /** Every object of the module that holds a key, built around {@code key}. */
    protected abstract List<Object> keyHolders(Canary key);

    /** The module's folder; Maven runs tests from it. */
    protected Path moduleDir() {
        return ModuleFiles.here();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Scenario.class)
    @Execution(ExecutionMode.CONCURRENT)
    void key_reaches_upstream_and_nowhere_else(Scenario scenario, @TempDir Path workDir) {
        Canary canary = Canary.forThisRun();

        // A stub per scenario, so scenarios can run side by side.
        try (OpenAiStub stub = OpenAiStub.start()) {
            Keysafe keysafe = new Keysafe(canary, stub);
            scenario.arrange(stub, canary);

            AppLaunch app = launch(keysafe).workingDir(workDir);
            if (!app.classpathChosen()) {
                // The jar as shipped, with its runtime class path: nothing of the tests beside it.
                app.packagedIn(moduleDir());
            }
            AppRun run = app.run();

            assertThat(keysafe.upstreamRequests()).as("requests upstream").anyMatch(e -> e.bearer().equals(canary.value()));
            assertThat(scenario.wellBehaved(run.exitCode(), run.stdout(), run.stderr()))
                    .as("%s: %s a clean result, got %s; stderr starts: %s", scenario,
                            scenario.answers() ? "the answer on stdout and exit 0 is" : "a non-zero exit with a message is",
                            run, firstLines(run.stderr(), canary))
                    .isTrue();
            assertThat(keysafe.leaks()).as("places the key leaked to").isEmpty();
        }
    }

    @Test
    void key_holders_never_print_the_key() {
        Canary canary = Canary.forThisRun();
        List<Object> holders = keyHolders(canary);

        assertThat(holders).as("objects that hold the key").isNotEmpty();
        assertThat(holders).allSatisfy(h -> assertThat(String.valueOf(h)).isNotBlank());
        assertThat(Detectors.inObjects(canary, holders)).isEmpty();
    }

    @Test
    void module_files_hold_no_key_shaped_string() {
        ModuleFiles.assertWorkingTreeHoldsNoKeyShapedString(moduleDir());
    }

    @Test
    void git_history_of_the_module_holds_no_key_shaped_string() {
        ModuleFiles.assertGitHistoryHoldsNoKeyShapedString(moduleDir());
    }

    @Test
    void build_output_holds_no_key_and_no_dotenv() {
        List<Path> jars = ModuleFiles.assertBuildOutputHoldsNoKey(moduleDir(), Canary.forThisRun());

        assertThat(jars).allSatisfy(jar -> assertThat(Detectors.jarEntriesNamed(jar, "\\.env(\\..*)?")).isEmpty());
    }

    /** The start of a module's stderr for a failure message, with the canary masked out. */
    private static String firstLines(String text, Canary canary) {
        String head = text.lines().limit(8).reduce("", (a, b) -> a + "\n  " + b);
        return head.replace(canary.value(), canary.maskedForm());
    }
}
