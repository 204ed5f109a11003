package dev.keysafe.testkit.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one run of a module left behind: exit code, everything it printed, the command line it ran
 * with, and the files it wrote in its working and temporary directories.
 */
public record RunResult(int exitCode, String stdout, String stderr, List<String> commandLine,
                        List<Path> filesWritten, Duration took) {

    /** {@code toString()} stays short: outputs may hold a leaked key, so they are not repeated. */
    @Override
    public String toString() {
        return "RunResult[exit " + exitCode + ", " + stdout.length() + " chars out, " + stderr.length()
                + " chars err, " + filesWritten.size() + " files written, " + took.toMillis() + " ms]";
    }
}
