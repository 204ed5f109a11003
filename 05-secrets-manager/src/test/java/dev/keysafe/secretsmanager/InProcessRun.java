package dev.keysafe.secretsmanager;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** One run of a program of module 05 inside the test JVM: exit code, what it printed, how long it took. */
public record InProcessRun(int exitCode, String out, String err, Duration took) {

    /** A program's {@code run}: its inputs as parameters, the exit code as its result. */
    @FunctionalInterface
    public interface Program {
        int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err);
    }

    /** A run of {@link Ask}, the lesson. */
    static InProcessRun of(Map<String, String> env, String... args) {
        return of(Ask::run, env, args);
    }

    public static InProcessRun of(Program program, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int exit = program.run(env, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new InProcessRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** Short, and without the output, which a failing module may have filled with a key. */
    @Override
    public String toString() {
        return "InProcessRun[exit " + exitCode + ", " + out.length() + " chars out, " + err.length() + " chars err, "
                + took.toMillis() + " ms]";
    }
}
