package dev.keysafe.workshop.tour;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.Module;
import dev.keysafe.workshop.ModuleBuild;
import dev.keysafe.workshop.Workspace;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
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
            "  64  bad input: an unknown module id"
        })
public final class TourCommand implements Callable<Integer> {

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
                    out.println(Report.header(module));
                    out.println("skipped   " + status.reason());
                    reports.add(Report.skipped(module, status.reason()));
                    continue;
                }
                Report report = tour(catalog, module, stub);
                reports.add(report);
                report.print(out, catalog.root());
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

    /** Runs one module through the probes (or drives it, a server), scans its static places, and judges it. */
    private Report tour(Catalog catalog, Module module, OpenAiStub stub) {
        long start = System.nanoTime();
        Report report = new Report(module);
        try {
            ModuleBuild build = catalog.build(module);
            Canary key = module.keySource().key(build);
            report.keys.add(key);
            if (module.isServer()) {
                ServerTour.run(build, key, stub, workspace.env(), report);
            } else {
                ProgramTour.run(build, key, stub, report);
            }
        } catch (KitException e) {
            report.problems.add(e.getMessage());
        } catch (RuntimeException | AssertionError e) {
            // A module that does not finish, or a folder that cannot be read, fails the tour with one line.
            report.problems.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        report.millis = (System.nanoTime() - start) / 1_000_000;
        return report;
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
            result = ExitCode.OK;
        } else {
            out.println("tour FAILED: " + String.join(" | ", failures) + " (" + time + ")");
            result = ExitCode.FAILED;
        }
        out.println("next: read workshop/README.md");
        out.println("then: fix a leaky program yourself and prove it: ./kit lab list");
        out.flush();
        return result;
    }
}
