package dev.keysafe.testkit;

import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.run.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Your app running in its own JVM, started by {@link AppLaunch#start()}: a server the test talks
 * to while it runs. Wait for the line that says it is ready, call it (through
 * {@link Keysafe#answers()}, so what it answers is checked too), then stop it: what it printed and
 * wrote until then joins the leak check. Closing it stops it.
 */
public final class RunningApp implements AutoCloseable {

    private final ModuleRunner.Started started;
    private final String mainClass;
    private final Path workingDir;
    private final Consumer<AppRun> onStop;
    private AppRun stopped;

    RunningApp(ModuleRunner.Started started, String mainClass, Path workingDir, Consumer<AppRun> onStop) {
        this.started = started;
        this.mainClass = mainClass;
        this.workingDir = workingDir;
        this.onStop = onStop;
    }

    /**
     * Waits until the app prints a line (on stdout or stderr) that matches {@code pattern}, such
     * as {@code "listening on (http://\\S+)"}, and returns the match.
     *
     * @throws AssertionError when the app ends, or {@code timeout} passes, first
     */
    public Matcher awaitLine(String pattern, Duration timeout) {
        return started.awaitLine(Pattern.compile(pattern), timeout);
    }

    public boolean isRunning() {
        return started.isAlive();
    }

    /** Stops the app as Ctrl-C would (by force after 10 s) and returns what it left behind. */
    public synchronized AppRun stop() {
        if (stopped == null) {
            RunResult result = started.stop();
            stopped = new AppRun(mainClass, result.exitCode(), result.stdout(), result.stderr(), result.commandLine(),
                    result.filesWritten(), workingDir, result.took());
            onStop.accept(stopped);
        }
        return stopped;
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "RunningApp[" + mainClass + (stopped == null ? ", running" : ", " + stopped) + "]";
    }
}
