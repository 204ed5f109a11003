package dev.keysafe.workshop.tour;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.workshop.Module;
import dev.keysafe.workshop.shared.ChannelCodes;
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
    /** Where a line of the report wraps: a terminal shows it whole. */
    private static final int WIDTH = 100;

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

    /**
     * The module's section; paths below {@code root} are shown relative to it. Long lines are
     * wrapped, never cut, and every channel code the section shows is explained at its end.
     */
    void print(PrintWriter out, Path root) {
        List<String> lines = new ArrayList<>();
        lines.add(header(module));
        lines.addAll(wrapped("shows     ", module.lesson()));
        for (int i = 0; i < did.size(); i++) {
            lines.addAll(wrapped(i == 0 ? "did       " : "          ", did.get(i)));
        }
        long found = places.stream().mapToLong(p -> p.findings().size()).sum();
        if (found == 0 && module.kind() == Module.Kind.PRACTICE) {
            lines.add("leaks     none: the key reached the stub and nowhere else");
            lines.addAll(wrapped("          ", "(checked " + places.stream().map(p -> shortLabel(p.label()))
                    .collect(Collectors.joining(", ")) + ")"));
        } else {
            lines.add("leaks     " + found + " finding(s)" + (module.kind() == Module.Kind.NEGATIVE_CONTROL
                    ? ", on purpose: this module shows what the detectors catch" : "") + ":");
            String prefix = root + File.separator;
            for (Place place : places) {
                if (place.findings().isEmpty()) {
                    lines.add("  " + pad(place.label()) + " none");
                    continue;
                }
                for (int i = 0; i < place.findings().size() && i < MAX_LINES_PER_PLACE; i++) {
                    lines.add("  " + pad(i == 0 ? place.label() : "") + " "
                            + ChannelCodes.line(place.findings().get(i)).replace(prefix, ""));
                }
                if (place.findings().size() > MAX_LINES_PER_PLACE) {
                    lines.add("  " + pad("") + " and " + (place.findings().size() - MAX_LINES_PER_PLACE)
                            + " more in the same place");
                }
            }
        }
        for (String note : notes) {
            lines.addAll(wrapped("note      ", note));
        }
        lines.addAll(wrapped("verdict   ", (ok() ? "ok" : "FAILED: " + String.join("; ", problems))
                + String.format(Locale.ROOT, "  (%.1f s)", millis / 1000.0)));
        List<String> legend = ChannelCodes.legend(String.join("\n", lines));
        for (int i = 0; i < legend.size(); i++) {
            lines.add((i == 0 ? "codes     " : "          ") + legend.get(i));
        }
        out.println();
        lines.forEach(out::println);
    }

    /**
     * {@code text} after {@code label}, wrapped at {@value #WIDTH} columns; the lines after the
     * first are indented as far as the text starts (its own leading spaces included).
     */
    static List<String> wrapped(String label, String text) {
        List<String> lines = new ArrayList<>();
        String indent = " ".repeat(label.length() + text.length() - text.stripLeading().length());
        StringBuilder line = new StringBuilder(label);
        boolean empty = true;
        for (String word : text.split(" ", -1)) {
            if (!empty && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
                empty = true;
            }
            line.append(empty ? "" : " ").append(word);
            empty = false;
        }
        lines.add(line.toString());
        return lines;
    }

    private static String shortLabel(String label) {
        return label.replaceFirst(" \\(.*", "");
    }

    private static String pad(String label) {
        return String.format("%-26s", shortLabel(label));
    }
}
