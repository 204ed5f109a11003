package dev.keysafe.testkit;

import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.run.RunResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * How your app is started in a test: a {@code main} class in a JVM of its own, with the
 * environment, arguments, files and working directory you give it, and nothing of yours (your
 * {@code OPENAI_*} and {@code AWS_*} variables are never passed on). By default it runs the way a
 * bad day in production would: every Logback logger at TRACE on stderr and the OpenAI SDK's debug
 * log on ({@code OPENAI_LOG=debug}), so a log line that holds the key is seen.
 */
public final class AppLaunch {

    private final ModuleLaunch launch;
    private final Keysafe keysafe;
    private final Consumer<AppRun> onRun;
    private Path workingDir;
    private boolean classpathChosen;
    private boolean traceLogging = true;
    private Duration timeout = Duration.ofSeconds(60);

    AppLaunch(String mainClass, Keysafe keysafe, Consumer<AppRun> onRun) {
        this.launch = ModuleLaunch.of(mainClass).env("OPENAI_BASE_URL", keysafe.baseUrl());
        this.keysafe = keysafe;
        this.onRun = onRun;
    }

    /** Gives the app the test's key in the environment variable {@code name}, as a deployment would. */
    public AppLaunch withOpenAiKeyIn(String name) {
        launch.env(name, keysafe.key().value());
        return this;
    }

    /** Sets an environment variable ({@code OPENAI_BASE_URL} is already the stub's). */
    public AppLaunch env(String name, String value) {
        launch.env(name, value);
        return this;
    }

    /** Appends command-line arguments. */
    public AppLaunch args(String... args) {
        launch.args(args);
        return this;
    }

    /** Writes a file (a {@code .env}, a config) into the working directory before the app starts. */
    public AppLaunch file(String relativePath, String content) {
        launch.file(relativePath, content);
        return this;
    }

    /** Appends JVM options. */
    public AppLaunch jvmArgs(String... options) {
        launch.jvmArgs(options);
        return this;
    }

    /** The class path to run with; by default this test's (right for an app tested in its own build). */
    public AppLaunch classpath(String classpath) {
        launch.classpath(classpath);
        classpathChosen = true;
        return this;
    }

    /**
     * Runs the jar {@code mvn package} built in {@code moduleDir}'s {@code target}, with the runtime
     * class path the kit's build writes beside it ({@code target/classpath.txt}): the app as it is
     * shipped, nothing of the tests on its class path. For integration tests, which run after the jar
     * is built.
     *
     * @throws IllegalStateException when the module is not packaged yet
     */
    public AppLaunch packagedIn(Path moduleDir) {
        Path target = moduleDir.resolve("target");
        try (java.util.stream.Stream<Path> files = Files.list(target)) {
            Path jar = files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .filter(f -> !f.getFileName().toString().matches(".*-(sources|javadoc|tests)\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no jar in " + target + ": run mvn package"));
            String runtime = Files.readString(target.resolve("classpath.txt")).strip();
            return classpath(runtime.isEmpty() ? jar.toString() : jar + java.io.File.pathSeparator + runtime);
        } catch (IOException e) {
            throw new IllegalStateException(moduleDir + " is not packaged: run mvn package first", e);
        }
    }

    /** Whether a class path was chosen ({@link #classpath}, {@link #packagedIn}); else this test's is used. */
    public boolean classpathChosen() {
        return classpathChosen;
    }

    /** The directory the app runs in, and whose new files are checked; by default a fresh temporary one. */
    public AppLaunch workingDir(Path dir) {
        this.workingDir = dir;
        return this;
    }

    /** Runs with the app's own logging configuration instead of every logger at TRACE. */
    public AppLaunch withOwnLogging() {
        this.traceLogging = false;
        return this;
    }

    /** How long the app may run before the test fails; 60 s by default. */
    public AppLaunch timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** Starts the app, waits for it to end, and records what it left behind for the leak check. */
    public AppRun run() {
        Path dir = workingDir != null ? workingDir : newWorkingDir();
        RunResult result = ModuleRunner.run(prepared(dir), dir, timeout);
        AppRun run = new AppRun(launch.mainClass(), result.exitCode(), result.stdout(), result.stderr(),
                result.commandLine(), result.filesWritten(), dir, result.took());
        onRun.accept(run);
        return run;
    }

    /**
     * Starts the app and returns while it runs (a server): wait for its ready line, use it, then
     * {@link RunningApp#stop()} it; what it left behind is then recorded for the leak check.
     */
    public RunningApp start() {
        Path dir = workingDir != null ? workingDir : newWorkingDir();
        return new RunningApp(ModuleRunner.start(prepared(dir), dir), launch.mainClass(), dir, onRun);
    }

    /** The launch as it runs: with every logger at TRACE and the SDK's debug log, unless turned off. */
    private ModuleLaunch prepared(Path dir) {
        ModuleLaunch toRun = launch.copy();
        if (traceLogging) {
            Path config = dir.resolve(".keysafe/" + ModuleRunner.TRACE_LOGBACK);
            toRun.env("OPENAI_LOG", "debug")
                    .file(".keysafe/" + ModuleRunner.TRACE_LOGBACK, ModuleRunner.traceLogbackConfig())
                    .jvmArgs("-Dlogback.configurationFile=" + config);
        }
        return toRun;
    }

    private static Path newWorkingDir() {
        try {
            return Files.createTempDirectory("keysafe-app-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "AppLaunch[" + launch + "]";
    }
}
