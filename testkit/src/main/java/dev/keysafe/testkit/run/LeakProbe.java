package dev.keysafe.testkit.run;

import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStub.JournalEntry;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a module once against the stub in one {@link Scenario}, through the public API
 * ({@link Keysafe}, {@link AppLaunch}): every logger at TRACE and the OpenAI SDK's debug logging on,
 * then every channel the canary could reach checked ({@link Keysafe#leaks()}). The launcher's
 * tour and lab checks use it with a module's {@link ModuleLaunch}.
 */
public final class LeakProbe {

    private LeakProbe() {
    }

    /** What one probe saw. {@code findings} is empty when the module kept the key. */
    public record Probe(Scenario scenario, AppRun run, List<Finding> findings,
                        List<JournalEntry> journal, List<JournalEntry> elsewhere) {

        /** The canary reached the upstream at least once. */
        public boolean keyReachedUpstream(Canary canary) {
            return journal.stream().anyMatch(e -> e.bearer().equals(canary.value()));
        }

        /** The module did what this scenario asks of a correct module: answer, or fail cleanly. */
        public boolean behavedAsExpected() {
            return scenario.wellBehaved(run.exitCode(), run.stdout(), run.stderr());
        }
    }

    /** Sets the stub up for {@code scenario}, runs {@code launch} in {@code workDir}, checks every channel. */
    public static Probe run(Scenario scenario, ModuleLaunch launch, Canary canary, OpenAiStub stub, Path workDir) {
        Keysafe keysafe = new Keysafe(canary, stub);
        scenario.arrange(stub, canary);
        AppLaunch app = keysafe.app(launch.mainClass()).classpath(launch.classpath()).workingDir(workDir)
                .args(launch.args().toArray(String[]::new)).jvmArgs(launch.jvmArgs().toArray(String[]::new));
        launch.env().forEach(app::env);
        launch.files().forEach(app::file);
        AppRun run = app.run();
        return new Probe(scenario, run, keysafe.leaks(), stub.journal(), stub.journalElsewhere());
    }
}
