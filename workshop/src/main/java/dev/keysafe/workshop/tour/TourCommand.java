package dev.keysafe.workshop.tour;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.run.LeakProbe;
import dev.keysafe.testkit.run.LeakProbe.Probe;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.Module;
import dev.keysafe.workshop.ModuleBuild;
import dev.keysafe.workshop.Offline;
import dev.keysafe.workshop.Server;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.shared.CallerEnvironment;
import dev.keysafe.workshop.shared.ErrorLine;
import dev.keysafe.workshop.shared.FilesWritten;
import dev.keysafe.workshop.shared.ServerProcess;
import dev.keysafe.workshop.shared.WorkDir;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The tour: every module that is built, run offline one after another against the OpenAI stub
 * with a throwaway key, each followed by its leak report. A practice module passes when its key
 * reached the stub and nowhere else; module 01 passes when the detectors find its key everywhere
 * it leaks, which proves they can see.
 */
@Command(name = "tour", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Runs every module offline and shows where each one's key went.",
            "",
            "The modules run one after another against a local OpenAI stub, each with a throwaway key. For "
                    + "each the tour prints what it shows, what it did, and where its key was found.",
            "",
            "Each module runs twice (a normal call, and a call whose key the stub rejects with OpenAI's 401, "
                    + "which echoes the key masked). The kit searches everything it printed and logged, its command "
                    + "line, the files it wrote and what reached the stub; then its source files, its build output "
                    + "and git history for key-shaped strings.",
            "",
            "A server (06) runs once, with every logger at TRACE, and is driven as an app would drive it: the "
                    + "official openai-java client with a client token, plain and streamed, then a wrong token and "
                    + "a server key OpenAI refuses. Its output, every body its clients received and every request "
                    + "that reached the stub are searched. 05 also shows a key rotation (rotate-demo) losing no call.",
            "",
            "A practice module (02 on) passes when its key reached the stub and nowhere else. Module 01, the "
                    + "negative control, passes when its key IS found in its source, jar, logs, error output and "
                    + "git history: that proves the detectors see. Modules that are not built are listed and skipped."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./kit tour                  every built module",
            "  ./kit tour --only 01,02     the negative control and the first practice",
            "",
            "Exit codes:",
            "  0   every practice module kept its key and 01's leaks were all found",
            "  1   a check failed (the last line says which)",
            "  2   bad input: an unknown module id"
        })
public final class TourCommand implements Callable<Integer> {

    private static final int MAX_LINES_PER_PLACE = 5;

    private final Workspace workspace;

    @Spec
    CommandSpec spec;

    @Option(names = "--only", split = ",", paramLabel = "ID",
            description = "Tour only these modules (comma-separated ids, e.g. 01,02). Default: all of them.")
    List<String> only;

    TourCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() {
        long start = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        Catalog catalog = workspace.catalog();
        List<Module> selected = selected(catalog);

        List<Report> reports = new ArrayList<>();
        try (OpenAiStub stub = OpenAiStub.start()) {
            out.println("keysafe tour: " + selected.size() + " module(s), offline, against a local OpenAI stub at "
                    + stub.baseUrl());
            out.println("Each run gets a throwaway key; then the kit looks for that key everywhere it could have gone.");
            out.flush();
            for (Module module : selected) {
                Catalog.Status status = catalog.status(module);
                if (status.state() != Catalog.State.BUILT) {
                    out.println();
                    out.println(header(module));
                    out.println("skipped   " + status.reason());
                    reports.add(Report.skipped(module, status.reason()));
                    continue;
                }
                Report report = tour(catalog, module, stub);
                reports.add(report);
                print(out, catalog, report);
                out.flush();
            }
        }
        return summarize(out, selected, reports, System.nanoTime() - start);
    }

    private List<Module> selected(Catalog catalog) {
        if (only == null || only.isEmpty()) {
            return catalog.modules();
        }
        Set<Module> wanted = new LinkedHashSet<>();
        for (String id : only) {
            wanted.add(catalog.require(id));
        }
        return catalog.modules().stream().filter(wanted::contains).toList();
    }

    // ---- one module ----------------------------------------------------------------------------

    /** Runs one module through the probes, scans its static channels, and judges the result. */
    private Report tour(Catalog catalog, Module module, OpenAiStub stub) {
        long start = System.nanoTime();
        Report report = new Report(module);
        try {
            ModuleBuild build = catalog.build(module);
            Canary key = module.keySource().key(build);
            report.keys.add(key);
            if (module.isServer()) {
                tourServer(build, key, stub, report);
                report.millis = (System.nanoTime() - start) / 1_000_000;
                return report;
            }

            ProbeRun happy = probe(build, key, stub, Scenario.HAPPY_PATH, module.offline());
            ProbeRun rejected = probe(build, key, stub, Scenario.KEY_REJECTED, module.offline());
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

            staticPlaces(module, build.dir(), report);
            report.place("a normal run (output, logs, command line, files)", happy.findings(), true);
            report.place("a rejected-key run (error output, logs)", rejected.findings(), true);

            for (Module.Demo demo : module.demos()) {
                DemoRun run = demo(build, key, stub, demo);
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
            judge(module, key, happy.probe, rejected.probe, report);
        } catch (KitException e) {
            report.problems.add(e.getMessage());
        } catch (RuntimeException | AssertionError e) {
            // A module that does not finish, or a folder that cannot be read, fails the tour with one line.
            report.problems.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        report.millis = (System.nanoTime() - start) / 1_000_000;
        return report;
    }

    /** Key-shaped strings in the module's files, its build output and (once committed) git history. */
    private static void staticPlaces(Module module, Path dir, Report report) {
        report.place("source files", Detectors.inWorkingTree(KeyPatterns.all(), dir), true);
        report.place("build output", Detectors.inBuildOutput(KeyPatterns.all(), dir), true);
        if (!Detectors.isInGitCheckout(dir)) {
            report.notes.add("git history not checked: this is not a git checkout");
        } else if (!hasCommits(dir)) {
            report.notes.add("git history not checked: " + module.folder() + " has no commits yet"
                    + " (once committed, history keeps whatever it holds)");
        } else {
            report.place("git history", Detectors.inGitHistory(KeyPatterns.all(), dir), true);
        }
    }

    private static void judge(Module module, Canary key, Probe happy, Probe rejected, Report report) {
        if (!happy.keyReachedUpstream(key)) {
            report.problems.add("its key never reached the stub");
        }
        if (!happy.behavedAsExpected()) {
            report.problems.add("it did not print the stub's answer (exit " + happy.run().exitCode() + ")");
        }
        if (module.kind() == Module.Kind.PRACTICE && !rejected.behavedAsExpected()) {
            report.problems.add("with a rejected key it did not fail cleanly (exit " + rejected.run().exitCode() + ")");
        }
        judgeLeaks(module, report);
    }

    /** A practice must leak nowhere; the negative control must be caught everywhere it is required to leak. */
    private static void judgeLeaks(Module module, Report report) {
        if (module.kind() == Module.Kind.PRACTICE) {
            List<String> leaked = report.places.stream().filter(p -> !p.findings.isEmpty()).map(p -> p.label).toList();
            if (!leaked.isEmpty()) {
                report.problems.add("its key leaked: " + String.join("; ", leaked));
            }
        } else {
            List<String> missed = report.places.stream().filter(p -> p.required && p.findings.isEmpty())
                    .map(p -> p.label).toList();
            if (!missed.isEmpty()) {
                report.problems.add("the detectors did not find its key in: " + String.join("; ", missed));
            }
        }
    }

    // ---- a server ------------------------------------------------------------------------------

    /**
     * A server module: started as its own JVM with every logger at TRACE, driven by its
     * {@link Server} as its clients would (06: openai-java with a client token, plain and streamed,
     * a wrong token, a server key refused upstream), stopped, then searched: what it printed and
     * logged, its command line and the files it wrote; every response body its clients received;
     * and what reached the upstream (only its own key may).
     */
    private void tourServer(ModuleBuild build, Canary key, OpenAiStub stub, Report report) {
        Module module = build.module();
        Path workDir = WorkDir.create("keysafe-tour-" + module.id() + "-");
        List<String> problems = new ArrayList<>();
        Server.Drive drive = new Server.Drive(List.of(), List.of(), List.of());
        ServerProcess server = null;
        try (Offline.Context context = new Offline.Context(build, key, stub, workDir, module.tourOptions())) {
            stub.reset();
            stub.acceptKeys(key.value());
            Path tmp = Files.createDirectories(workDir.resolve(".tmp"));
            String trace = ".keysafe/" + ModuleRunner.TRACE_LOGBACK;
            ModuleLaunch launch = module.offline().launch(context)
                    .file(trace, ModuleRunner.traceLogbackConfig())
                    // Quick start-up, crash files and temp files where the scan looks, every logger at TRACE.
                    .jvmArgs("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:ErrorFile=" + workDir.resolve("hs_err_pid%p.log"),
                            "-Djava.io.tmpdir=" + tmp, "-Dlogback.configurationFile=" + workDir.resolve(trace));
            if (!launch.env().containsKey("OPENAI_BASE_URL")) {
                launch.env("OPENAI_BASE_URL", stub.baseUrl());
            }
            server = ServerProcess.start(launch, workDir, CallerEnvironment.withoutSecrets(workspace.env()),
                    module.server().readyLine(), null, null);
            Optional<String> url = server.awaitReady(Duration.ofSeconds(60));
            if (url.isPresent()) {
                drive = module.server().drive(new Server.Session(url.get(), context, launch));
            }
            server.close();
            if (url.isPresent()) {
                report.did.add("started: " + readyLine(module, server.stdout()));
            } else {
                problems.add("it stopped before it was ready (exit " + server.exitCode() + "): "
                        + ErrorLine.in(server.stderr()));
            }
            report.did.addAll(drive.did());
            problems.addAll(drive.problems());

            List<Finding> output = new ArrayList<>();
            output.addAll(Detectors.inText(key, Channel.C7, "server stdout", server.stdout()));
            output.addAll(Detectors.inText(key, Channel.C7, "server stderr (logs at TRACE)", server.stderr()));
            output.addAll(Detectors.inCommandLine(key, server.commandLine()));
            output.addAll(FilesWritten.findings(key, workDir, launch));
            List<Finding> received = new ArrayList<>();
            for (int i = 0; i < drive.received().size(); i++) {
                received.addAll(Detectors.inText(key, Channel.C1, "response body " + (i + 1), drive.received().get(i)));
            }
            List<Finding> upstream = new ArrayList<>();
            for (OpenAiStub.JournalEntry entry : stub.journal()) {
                if (!entry.bearer().equals(key.value())) {
                    upstream.add(new Finding(Channel.C21, "upstream " + entry.method() + " " + entry.path(),
                            entry.bearer().isEmpty() ? "no key at all" : "a key or token other than the server's key"));
                }
            }
            for (OpenAiStub.JournalEntry entry : stub.journalElsewhere()) {
                upstream.add(new Finding(Channel.C10, "another host " + entry.method() + " " + entry.path(),
                        entry.bearer().isEmpty() ? "a request" : "a request with a bearer"));
            }
            if (stub.journal().stream().noneMatch(entry -> entry.bearer().equals(key.value()))) {
                problems.add("its key never reached the stub");
            }
            staticPlaces(module, build.dir(), report);
            report.place("the server's output (stdout, logs at TRACE, command line, files)", output, true);
            report.place("what its clients received (answers, stream, errors)", received, true);
            report.place("requests upstream (only the server's key)", upstream, true);
        } catch (IOException e) {
            problems.add("cannot prepare its working directory: " + e.getMessage());
        } finally {
            if (server != null) {
                server.close();
            }
            WorkDir.delete(workDir);
        }
        Redactor redactor = new Redactor(report.keys);
        report.did.replaceAll(redactor::redact);
        problems.stream().map(redactor::redact).forEach(report.problems::add);
        judgeLeaks(module, report);
    }

    /** The server's ready line, as it printed it. */
    private static String readyLine(Module module, String stdout) {
        return stdout.lines().filter(line -> module.server().readyLine().matcher(line).find()).findFirst()
                .orElse("(its ready line)");
    }

    private record ProbeRun(Probe probe, List<Canary> extraKeys, List<Finding> extraFindings) {
        List<Finding> findings() {
            List<Finding> all = new ArrayList<>(probe.findings());
            all.addAll(extraFindings);
            return all;
        }
    }

    private ProbeRun probe(ModuleBuild build, Canary key, OpenAiStub stub, Scenario scenario, Offline offline) {
        Path workDir = WorkDir.create("keysafe-tour-" + build.module().id() + "-");
        try (Offline.Context context = new Offline.Context(build, key, stub, workDir, build.module().tourOptions())) {
            ModuleLaunch launch = offline.launch(context);
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

    private record DemoRun(RunResult result, List<Canary> keys, List<Finding> findings) {
    }

    private DemoRun demo(ModuleBuild build, Canary key, OpenAiStub stub, Module.Demo demo) {
        Path workDir = WorkDir.create("keysafe-tour-" + build.module().id() + "-");
        try (Offline.Context context = new Offline.Context(build, key, stub, workDir, build.module().tourOptions())) {
            stub.reset();
            stub.acceptKeys(key.value());
            ModuleLaunch launch = demo.launch().launch(context);
            if (!launch.env().containsKey("OPENAI_BASE_URL")) {
                launch.env("OPENAI_BASE_URL", stub.baseUrl());
            }
            RunResult result = ModuleRunner.run(launch, workDir);
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
    private static List<Finding> outputFindings(Canary key, RunResult run) {
        List<Finding> found = new ArrayList<>();
        found.addAll(Detectors.inText(key, Channel.C1, "stdout", run.stdout()));
        found.addAll(Detectors.inText(key, Channel.C7, "stderr (logs, SDK debug log, errors)", run.stderr()));
        found.addAll(Detectors.inCommandLine(key, run.commandLine()));
        found.addAll(Detectors.inFiles(key, Channel.C13, run.filesWritten()));
        return found;
    }

    /** Whether git history holds any commit touching {@code dir}: before that, none can hold its key. */
    private static boolean hasCommits(Path dir) {
        try (Repository repo = new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toFile()).build();
             Git git = new Git(repo)) {
            if (repo.resolve(Constants.HEAD) == null) {
                return false;
            }
            Path top = repo.getWorkTree().toPath().toAbsolutePath().normalize();
            String path = top.relativize(dir.toAbsolutePath().normalize()).toString().replace('\\', '/');
            return git.log().addPath(path).setMaxCount(1).call().iterator().hasNext();
        } catch (IOException | org.eclipse.jgit.api.errors.GitAPIException e) {
            return false;
        }
    }

    // ---- printing ------------------------------------------------------------------------------

    private static String header(Module module) {
        String title = "== " + module.id() + " " + module.shortName() + " ";
        return title + "=".repeat(Math.max(3, 78 - title.length()));
    }

    private void print(PrintWriter out, Catalog catalog, Report report) {
        Module module = report.module;
        out.println();
        out.println(header(module));
        out.println("shows     " + module.lesson());
        for (int i = 0; i < report.did.size(); i++) {
            out.println((i == 0 ? "did       " : "          ") + report.did.get(i));
        }
        long found = report.places.stream().mapToLong(p -> p.findings.size()).sum();
        if (found == 0 && module.kind() == Module.Kind.PRACTICE) {
            out.println("leaks     none: the key reached the stub and nowhere else");
            out.println("          (checked " + report.places.stream().map(p -> p.label.replaceFirst(" \\(.*", ""))
                    .collect(Collectors.joining(", ")) + ")");
        } else {
            out.println("leaks     " + found + " finding(s)" + (module.kind() == Module.Kind.NEGATIVE_CONTROL
                    ? ", on purpose: this module shows what the detectors catch" : "") + ":");
            String root = catalog.root() + File.separator;
            for (Place place : report.places) {
                if (place.findings.isEmpty()) {
                    out.println("  " + pad(place.label) + " none");
                    continue;
                }
                for (int i = 0; i < place.findings.size() && i < MAX_LINES_PER_PLACE; i++) {
                    out.println("  " + pad(i == 0 ? place.label : "") + " " + place.findings.get(i).toString().replace(root, ""));
                }
                if (place.findings.size() > MAX_LINES_PER_PLACE) {
                    out.println("  " + pad("") + " ... and " + (place.findings.size() - MAX_LINES_PER_PLACE) + " more");
                }
            }
        }
        for (String note : report.notes) {
            out.println("note      " + note);
        }
        out.println("verdict   " + (report.ok() ? "ok" : "FAILED: " + String.join("; ", report.problems))
                + String.format(Locale.ROOT, "  (%.1f s)", report.millis / 1000.0));
    }

    private static String pad(String label) {
        String shortLabel = label.replaceFirst(" \\(.*", "");
        return String.format("%-26s", shortLabel);
    }

    private int summarize(PrintWriter out, List<Module> selected, List<Report> reports, long nanos) {
        List<String> failures = new ArrayList<>();
        int ran = 0;
        int skipped = 0;
        for (Report report : reports) {
            if (report.skipped != null) {
                skipped++;
                if (report.module.kind() == Module.Kind.NEGATIVE_CONTROL) {
                    failures.add(report.module.id() + " (the negative control) did not run, so the detectors are"
                            + " unproven: " + report.skipped);
                }
                continue;
            }
            ran++;
            if (!report.ok()) {
                failures.add(report.module.id() + ": " + String.join("; ", report.problems));
            }
        }
        if (ran == 0) {
            failures.add("no module is built; run ./mvnw -q -DskipTests package (./kit does it for you)");
        }
        String time = String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
        out.println();
        out.println("== summary " + "=".repeat(67));
        for (Report report : reports) {
            String verdict = report.skipped != null ? "skipped (not built)"
                    : !report.ok() ? "FAILED"
                    : report.module.kind() == Module.Kind.NEGATIVE_CONTROL ? "ok: leaks found as expected"
                    : "ok: clean";
            out.println(String.format("%-4s%-22s%s", report.module.id(), report.module.shortName(), verdict));
        }
        int result;
        if (failures.isEmpty()) {
            out.println("tour passed: " + ran + " of " + selected.size() + " module(s) ran"
                    + (skipped > 0 ? ", " + skipped + " skipped" : "") + "; every practice kept its key"
                    + (reports.stream().anyMatch(r -> r.skipped == null && r.module.kind() == Module.Kind.NEGATIVE_CONTROL)
                    ? " and 01's leaks were all found" : "") + " (" + time + ")");
            result = Kit.EXIT_OK;
        } else {
            out.println("tour FAILED: " + String.join(" | ", failures) + " (" + time + ")");
            result = Kit.EXIT_FAILED;
        }
        out.println("next: read workshop/README.md");
        out.println("then: fix a leaky program yourself and prove it: ./kit lab list");
        out.flush();
        return result;
    }

    private static String firstLine(String text) {
        return text.lines().filter(l -> !l.isBlank()).findFirst().orElse("(nothing)");
    }

    private static String lastLine(String text) {
        return text.lines().filter(l -> !l.isBlank()).reduce((first, second) -> second).orElse("(nothing)");
    }

    // ---- the report ----------------------------------------------------------------------------

    /** One place the tour looked, what it found there, and whether 01 must leak there. */
    private record Place(String label, List<Finding> findings, boolean required) {
    }

    private static final class Report {
        final Module module;
        final List<Canary> keys = new ArrayList<>();
        final List<String> did = new ArrayList<>();
        final List<Place> places = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        String skipped;
        long millis;

        Report(Module module) {
            this.module = module;
        }

        static Report skipped(Module module, String reason) {
            Report report = new Report(module);
            report.skipped = reason;
            return report;
        }

        void place(String label, List<Finding> findings, boolean required) {
            places.add(new Place(label, findings, required));
        }

        boolean ok() {
            return skipped == null && problems.isEmpty();
        }
    }
}
