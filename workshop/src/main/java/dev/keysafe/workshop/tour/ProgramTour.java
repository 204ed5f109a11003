package dev.keysafe.workshop.tour;

import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.run.LeakProbe.Probe;
import dev.keysafe.testkit.run.LeakProbe;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Module;
import dev.keysafe.workshop.ModuleBuild;
import dev.keysafe.workshop.Offline;
import dev.keysafe.workshop.shared.ErrorLine;
import dev.keysafe.workshop.shared.WorkDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tour of a module that answers once and exits (01-05): run twice through the leak suite's
 * probes (a normal call, and a call whose key the stub rejects), then its demo runs; its static
 * places searched; and judged: a practice keeps its key, the negative control is caught leaking.
 */
final class ProgramTour {

    private final ModuleBuild build;
    private final Canary key;
    private final OpenAiStub stub;
    private final Report report;

    private ProgramTour(ModuleBuild build, Canary key, OpenAiStub stub, Report report) {
        this.build = build;
        this.key = key;
        this.stub = stub;
        this.report = report;
    }

    /** Tours {@code build}'s module with {@code key}, adding what it saw to {@code report}. */
    static void run(ModuleBuild build, Canary key, OpenAiStub stub, Report report) {
        new ProgramTour(build, key, stub, report).run();
    }

    private void run() {
        Module module = build.module();
        ProbeRun happy = probe(Scenario.HAPPY_PATH);
        ProbeRun rejected = probe(Scenario.KEY_REJECTED);
        report.keys.addAll(happy.extraKeys);
        report.keys.addAll(rejected.extraKeys);
        Redactor redactor = new Redactor(report.keys);

        String as = module.tourOptions().environment() == null ? ""
                : " (as " + module.tourOptions().environment() + ")";
        report.did.add(happy.probe.run().exitCode() == 0
                ? "answered" + as + ": " + redactor.redact(firstLine(happy.probe.run().stdout()))
                : "exit " + happy.probe.run().exitCode() + ": " + redactor.redact(ErrorLine.in(happy.probe.run().stderr())));
        report.did.add("with a rejected key: exit " + rejected.probe.run().exitCode() + ": "
                + redactor.redact(ErrorLine.in(rejected.probe.run().stderr())));

        StaticPlaces.search(module, build.dir(), report);
        report.place("a normal run (output, logs, command line, files)", happy.findings(), true);
        report.place("a rejected-key run (error output, logs)", rejected.findings(), true);

        for (Module.Demo demo : module.demos()) {
            showDemo(demo);
        }
        judge(happy.probe, rejected.probe);
    }

    private void showDemo(Module.Demo demo) {
        DemoRun run = demo(demo);
        report.keys.addAll(run.keys);
        // A demo that succeeds ends with its result (05: the rotation's count); a refusal is its error line.
        String said = run.result.exitCode() == 0 ? lastLine(run.result.stdout()) : ErrorLine.in(run.result.stderr());
        report.did.add(demo.title() + ":");
        report.did.add("  exit " + run.result.exitCode() + ": " + new Redactor(report.keys).redact(said));
        report.place("a demo run (" + demo.title() + ")", run.findings, true);
        if (run.result.exitCode() != demo.exitCode()) {
            report.problems.add("\"" + demo.title() + "\" exited " + run.result.exitCode() + ", expected "
                    + demo.exitCode());
        } else if (demo.shows() != null && !demo.shows().matcher(run.result.stdout()).find()) {
            report.problems.add("\"" + demo.title() + "\" did not print what it should (" + demo.shows() + ")");
        }
    }

    private void judge(Probe happy, Probe rejected) {
        if (!happy.keyReachedUpstream(key)) {
            report.problems.add("its key never reached the stub");
        }
        if (!happy.behavedAsExpected()) {
            report.problems.add("it did not print the stub's answer (exit " + happy.run().exitCode() + ")");
        }
        if (build.module().kind() == Module.Kind.PRACTICE && !rejected.behavedAsExpected()) {
            report.problems.add("with a rejected key it did not fail cleanly (exit " + rejected.run().exitCode() + ")");
        }
        report.judgeLeaks();
    }

    private record ProbeRun(Probe probe, List<Canary> extraKeys, List<Finding> extraFindings) {
        List<Finding> findings() {
            List<Finding> all = new ArrayList<>(probe.findings());
            all.addAll(extraFindings);
            return all;
        }
    }

    private ProbeRun probe(Scenario scenario) {
        Path workDir = WorkDir.create("keysafe-tour-" + build.module().id() + "-");
        try (Offline.Context context = new Offline.Context(build, key, stub, workDir, build.module().tourOptions())) {
            ModuleLaunch launch = build.module().offline().launch(context);
            Probe probe = LeakProbe.run(scenario, launch, key, stub, workDir);
            List<Finding> extra = new ArrayList<>();
            for (Canary other : context.extraKeys()) {
                extra.addAll(outputFindings(other, probe.run()));
            }
            return new ProbeRun(probe, context.extraKeys(), extra);
        } finally {
            WorkDir.delete(workDir);
        }
    }

    private record DemoRun(AppRun result, List<Canary> keys, List<Finding> findings) {
    }

    private DemoRun demo(Module.Demo demo) {
        Path workDir = WorkDir.create("keysafe-tour-" + build.module().id() + "-");
        try (Offline.Context context = new Offline.Context(build, key, stub, workDir, build.module().tourOptions())) {
            stub.reset();
            stub.acceptKeys(key.value());
            ModuleLaunch launch = demo.launch().launch(context);
            AppLaunch app = new Keysafe(key, stub).app(launch.mainClass()).withOwnLogging()
                    .classpath(launch.classpath()).workingDir(workDir).args(launch.args().toArray(String[]::new))
                    .jvmArgs(launch.jvmArgs().toArray(String[]::new));
            launch.env().forEach(app::env);
            launch.files().forEach(app::file);
            AppRun result = app.run();
            List<Canary> keys = new ArrayList<>(List.of(key));
            keys.addAll(context.extraKeys());
            List<Finding> findings = new ArrayList<>();
            for (Canary each : keys) {
                findings.addAll(outputFindings(each, result));
            }
            return new DemoRun(result, context.extraKeys(), findings);
        } finally {
            WorkDir.delete(workDir);
        }
    }

    /** Where {@code key} shows up in what one run printed, its command line and the files it wrote. */
    private static List<Finding> outputFindings(Canary key, AppRun run) {
        List<Finding> found = new ArrayList<>();
        found.addAll(Detectors.inLines(key, Channel.C1, "stdout", run.stdout()));
        found.addAll(Detectors.inLines(key, Channel.C7, "stderr", run.stderr()));
        found.addAll(Detectors.inCommandLine(key, run.commandLine()));
        for (Path file : run.filesWritten()) {
            found.addAll(Detectors.inLines(key, Channel.C13, "file " + run.workingDir().relativize(file),
                    Detectors.readLatin1(file)));
        }
        return found;
    }

    private static String firstLine(String text) {
        return text.lines().filter(l -> !l.isBlank()).findFirst().orElse("(nothing)");
    }

    private static String lastLine(String text) {
        return text.lines().filter(l -> !l.isBlank()).reduce((first, second) -> second).orElse("(nothing)");
    }
}
