package dev.keysafe.workshop.tour;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.workshop.Module;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the tour found for one module: what it did, every place the tour looked with what it
 * found there, notes, and the problems that make its verdict FAILED. It prints itself as the
 * module's section of the tour's report.
 */
final class Report {

    private static final int MAX_LINES_PER_PLACE = 5;

    final Module module;
    /** Every key the module's runs were given, so that none of them is ever printed. */
    final List<Canary> keys = new ArrayList<>();
    final List<String> did = new ArrayList<>();
    final List<Place> places = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    String skipped;
    long millis;

    /** One place the tour looked, what it found there, and whether 01 must leak there. */
    record Place(String label, List<Finding> findings, boolean required) {
    }

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

    /** A practice must leak nowhere; the negative control must be caught everywhere it is required to leak. */
    void judgeLeaks() {
        if (module.kind() == Module.Kind.PRACTICE) {
            List<String> leaked = places.stream().filter(p -> !p.findings().isEmpty()).map(Place::label).toList();
            if (!leaked.isEmpty()) {
                problems.add("its key leaked: " + String.join("; ", leaked));
            }
        } else {
            List<String> missed = places.stream().filter(p -> p.required() && p.findings().isEmpty())
                    .map(Place::label).toList();
            if (!missed.isEmpty()) {
                problems.add("the detectors did not find its key in: " + String.join("; ", missed));
            }
        }
    }

    /** The line that opens a module's section: {@code == 02 env-vars ====...}. */
    static String header(Module module) {
        String title = "== " + module.id() + " " + module.shortName() + " ";
        return title + "=".repeat(Math.max(3, 78 - title.length()));
    }

    /** The module's section; paths below {@code root} are shown relative to it. */
    void print(PrintWriter out, Path root) {
        out.println();
        out.println(header(module));
        out.println("shows     " + module.lesson());
        for (int i = 0; i < did.size(); i++) {
            out.println((i == 0 ? "did       " : "          ") + did.get(i));
        }
        long found = places.stream().mapToLong(p -> p.findings().size()).sum();
        if (found == 0 && module.kind() == Module.Kind.PRACTICE) {
            out.println("leaks     none: the key reached the stub and nowhere else");
            out.println("          (checked " + places.stream().map(p -> p.label().replaceFirst(" \\(.*", ""))
                    .collect(Collectors.joining(", ")) + ")");
        } else {
            out.println("leaks     " + found + " finding(s)" + (module.kind() == Module.Kind.NEGATIVE_CONTROL
                    ? ", on purpose: this module shows what the detectors catch" : "") + ":");
            String prefix = root + File.separator;
            for (Place place : places) {
                if (place.findings().isEmpty()) {
                    out.println("  " + pad(place.label()) + " none");
                    continue;
                }
                for (int i = 0; i < place.findings().size() && i < MAX_LINES_PER_PLACE; i++) {
                    out.println("  " + pad(i == 0 ? place.label() : "") + " "
                            + place.findings().get(i).toString().replace(prefix, ""));
                }
                if (place.findings().size() > MAX_LINES_PER_PLACE) {
                    out.println("  " + pad("") + " ... and " + (place.findings().size() - MAX_LINES_PER_PLACE) + " more");
                }
            }
        }
        for (String note : notes) {
            out.println("note      " + note);
        }
        out.println("verdict   " + (ok() ? "ok" : "FAILED: " + String.join("; ", problems))
                + String.format(Locale.ROOT, "  (%.1f s)", millis / 1000.0));
    }

    private static String pad(String label) {
        String shortLabel = label.replaceFirst(" \\(.*", "");
        return String.format("%-26s", shortLabel);
    }
}
