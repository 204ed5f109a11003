package dev.keysafe.secretsmanager;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** One run of {@link Ask} inside the test JVM: exit code, what it printed, how long it took. */
record InProcessRun(int exitCode, String out, String err, Duration took) {

    static InProcessRun of(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int exit = Ask.run(env, args, new PrintStream(out, true, StandardCharsets.UTF_8),
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
