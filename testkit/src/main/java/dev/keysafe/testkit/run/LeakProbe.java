package dev.keysafe.testkit.run;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStub.JournalEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a module once against the stub in one {@link Scenario}, with every logger at TRACE and the
 * OpenAI SDK's debug logging on, and reports every channel the canary reached: what it printed
 * (C1, C7, C9), its command line (C11), the files it wrote (C13, C20), a redirect's second host
 * (C10), and whether any request upstream carried anything but the canary (C21). Shared by the
 * contract tests and the launcher's tour.
 */
public final class LeakProbe {

    private LeakProbe() {
    }

    /** What one probe saw. {@code findings} is empty when the module kept the key. */
    public record Probe(Scenario scenario, RunResult run, List<Finding> findings,
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

    /** Sets the stub up for {@code scenario}, runs {@code launch} in {@code workDir}, scans. */
    public static Probe run(Scenario scenario, ModuleLaunch launch, Canary canary, OpenAiStub stub, Path workDir) {
        scenario.arrange(stub, canary);
        ModuleLaunch probed = launch.copy()
                .env("OPENAI_LOG", "debug")
                .file(".keysafe/" + ModuleRunner.TRACE_LOGBACK, ModuleRunner.traceLogbackConfig())
                .jvmArgs("-Dlogback.configurationFile=" + workDir.resolve(".keysafe/" + ModuleRunner.TRACE_LOGBACK));
        if (!launch.env().containsKey("OPENAI_BASE_URL")) {
            probed.env("OPENAI_BASE_URL", stub.baseUrl());
        }
        RunResult run = ModuleRunner.run(probed, workDir);
        List<JournalEntry> journal = stub.journal();
        List<JournalEntry> elsewhere = stub.journalElsewhere();
        return new Probe(scenario, run, scan(canary, run, journal, elsewhere), journal, elsewhere);
    }

    /** Every channel of one run, searched for the canary in all its forms. */
    public static List<Finding> scan(Canary canary, RunResult run, List<JournalEntry> journal,
                                     List<JournalEntry> elsewhere) {
        List<Finding> found = new ArrayList<>();
        found.addAll(Detectors.inText(canary, Channel.C1, "stdout", run.stdout()));
        found.addAll(Detectors.inText(canary, Channel.C7, "stderr (logs, SDK debug log, errors)", run.stderr()));
        found.addAll(Detectors.inCommandLine(canary, run.commandLine()));
        for (Path file : run.filesWritten()) {
            Channel channel = file.toString().contains("/.tmp/") ? Channel.C20 : Channel.C13;
            found.addAll(Detectors.inFiles(canary, channel, List.of(file)));
        }
        for (JournalEntry entry : elsewhere) {
            if (!canary.formsIn(entry.bearer()).isEmpty()) {
                found.add(new Finding(Channel.C10, "redirect target " + entry.method() + " " + entry.path(),
                        "Authorization header"));
            }
        }
        for (JournalEntry entry : journal) {
            if (!entry.bearer().equals(canary.value())) {
                found.add(new Finding(Channel.C21, "upstream " + entry.method() + " " + entry.path(),
                        entry.bearer().isEmpty() ? "no key at all" : "a key other than the one planted"));
            }
        }
        return found;
    }
}
