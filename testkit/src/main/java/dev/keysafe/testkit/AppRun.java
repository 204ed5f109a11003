package dev.keysafe.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one run of your app left behind: its exit code, everything it printed, the command line it
 * ran with, the files it wrote in its working directory (its {@code java.io.tmpdir} included), and
 * how long it ran, JVM start included.
 * {@code toString()} gives sizes only: the outputs may hold a leaked key.
 */
public record AppRun(String mainClass, int exitCode, String stdout, String stderr, List<String> commandLine,
                     List<Path> filesWritten, Path workingDir, Duration took) {

    @Override
    public String toString() {
        return "AppRun[" + mainClass + ", exit " + exitCode + ", " + stdout.length() + " chars out, "
                + stderr.length() + " chars err, " + filesWritten.size() + " files written]";
    }
}
