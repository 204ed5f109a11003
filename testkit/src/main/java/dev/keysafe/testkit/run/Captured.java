package dev.keysafe.testkit.run;

import dev.keysafe.testkit.Needle;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What one in-process run of a module printed, and its exit code: for tests that call a module's
 * {@code run(..., out, err)} directly. {@code toString()} keeps the outputs out of test reports,
 * since they may hold a leaked key.
 */
public record Captured(int exitCode, String out, String err) {

    /** A module's program with its output streams as parameters; returns the exit code. */
    @FunctionalInterface
    public interface Program {
        int run(PrintStream out, PrintStream err);
    }

    /** Runs {@code program} with captured stdout and stderr. */
    public static Captured run(Program program) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = program.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Captured(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Where {@code needle} shows up in what was printed (C1 stdout, C7 stderr). */
    public List<Finding> leaksOf(Needle needle) {
        List<Finding> found = new ArrayList<>();
        found.addAll(Detectors.inText(needle, Channel.C1, "stdout", out));
        found.addAll(Detectors.inText(needle, Channel.C7, "stderr", err));
        return found;
    }

    @Override
    public String toString() {
        return "Captured[exit " + exitCode + ", " + out.length() + " chars out, " + err.length() + " chars err]";
    }
}
