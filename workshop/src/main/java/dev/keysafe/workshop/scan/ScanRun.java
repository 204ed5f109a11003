package dev.keysafe.workshop.scan;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One run of the scanner, shared by {@code ./kit scan} and the pre-commit hook's quick start
 * ({@link StagedScan}): what to scan, which findings are already accepted, how to report, and
 * the exit code (0 clean, 1 found, 2 cannot scan).
 *
 * @param dir           the folder to scan
 * @param scope         what of it: staged changes, the working tree, or the working tree and history
 * @param format        the report's format
 * @param baseline      the baseline whose findings are not reported, or null
 * @param writeBaseline where to record today's findings instead of reporting them, or null
 * @param kitRoot       the kit's checkout, which SARIF names as the tool's documentation
 */
record ScanRun(Path dir, Scope scope, Format format, Path baseline, Path writeBaseline, Path kitRoot) {

    /** What of the folder is scanned. */
    enum Scope {
        STAGED("staged changes"), WORKING_TREE("working tree"), ALL("working tree and git history");

        final String label;

        Scope(String label) {
            this.label = label;
        }
    }

    /** The report's format; lower case, as typed after {@code --format}. */
    enum Format {
        text, json, sarif
    }

    /** A scan's findings sorted, with what the report needs around them. */
    record Outcome(Path dir, Scope scope, Triage triage, Path baseline, Path kitRoot, int exitCode) {
    }

    int run(PrintWriter out, PrintWriter err) {
        // Read the baseline first: a broken one should fail in a second, not after a history walk.
        Set<String> accepted = baseline == null ? Set.of() : Baseline.read(baseline);
        List<KeyScan.Hit> hits = new ArrayList<>();
        if (scope == Scope.STAGED) {
            hits.addAll(KeyScan.staged(dir));
        } else {
            hits.addAll(KeyScan.workingTree(dir));
            if (scope == Scope.ALL) {
                hits.addAll(KeyScan.history(dir));
            }
        }
        Triage triage = Triage.of(hits, accepted);
        if (writeBaseline != null) {
            int recorded = Baseline.write(writeBaseline, triage.notAllowed());
            out.println("keysafe scan: " + dir + " (" + scope.label + ")");
            out.println("baseline written: " + writeBaseline + ", " + recorded + " finding(s) by fingerprint (no key"
                    + " in the file)" + (triage.allowed().isEmpty() ? "" : "; " + triage.allowed().size()
                    + " allowed by keysafe:allow comments are not recorded") + ".");
            out.println("Commit it; from now on ./kit scan --baseline " + writeBaseline + " reports only new findings.");
            out.flush();
            return ExitCode.OK;
        }
        Outcome outcome = new Outcome(dir, scope, triage, baseline, kitRoot,
                triage.reported().isEmpty() ? ExitCode.OK : ExitCode.FAILED);
        switch (format) {
            case text -> Reports.text(outcome, out);
            case json -> out.println(Json.writePretty(Reports.json(outcome)));
            case sarif -> out.println(Json.writePretty(SarifReport.of(outcome)));
        }
        if (format != Format.text) {
            // The document owns stdout; a person reading CI logs still gets one line.
            String quiet = Reports.accepted(outcome);
            err.println("keysafe scan: " + triage.reported().size() + " finding(s) to act on"
                    + (quiet.isEmpty() ? "" : "; not reported: " + quiet) + " (" + format + " on stdout).");
        }
        out.flush();
        err.flush();
        return outcome.exitCode();
    }

    /**
     * The folder {@code path} names, relative to {@code base}; a one-line error exiting
     * {@code exitCode} when there is none (scan: {@link ExitCode#CONFIG}, a path it cannot read).
     */
    static Path folder(Path base, String path, int exitCode) {
        Path dir = path == null || path.isBlank() ? base : base.resolve(path).toAbsolutePath().normalize();
        if (!Files.exists(dir)) {
            throw new KitException("nothing to scan: " + dir + " does not exist. Give a folder: ./kit scan PATH",
                    exitCode);
        }
        if (!Files.isDirectory(dir)) {
            throw new KitException("nothing to scan: " + dir + " is not a folder. Give a folder: ./kit scan PATH",
                    exitCode);
        }
        return dir;
    }

    /** The kit's version, as its jar records it. */
    static String version() {
        try {
            return new Kit.Version().getVersion()[0].replaceFirst("^keysafe kit ", "");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
