package dev.keysafe.testkit.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Starts a module as its own JVM, the way a user runs it, with the classpath of the current JVM,
 * and collects what it printed and wrote. The caller's OPENAI_* and AWS_* variables are never
 * passed on: a developer's real key must not end up in a test run.
 */
public final class ModuleRunner {

    /** Logback configuration (in testkit) that turns every logger to TRACE, on stderr. */
    public static final String TRACE_LOGBACK = "keysafe-trace-logback.xml";

    /** The TRACE configuration's text, to plant as a file: a module's classpath may not hold testkit. */
    public static String traceLogbackConfig() {
        try (InputStream in = ModuleRunner.class.getResourceAsStream("/" + TRACE_LOGBACK)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private ModuleRunner() {
    }

    /** Runs {@code launch} in {@code workDir} (created if missing), with its own temp dir inside it. */
    public static RunResult run(ModuleLaunch launch, Path workDir) {
        return run(launch, workDir, DEFAULT_TIMEOUT);
    }

    public static RunResult run(ModuleLaunch launch, Path workDir, Duration timeout) {
        Started started = start(launch, workDir);
        try {
            if (!started.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                started.process.destroyForcibly().waitFor();
                throw new AssertionError(launch.mainClass() + " did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + launch.mainClass(), e);
        }
        return started.result();
    }

    /** Starts {@code launch} in {@code workDir} and returns at once; the caller waits for it or stops it. */
    public static Started start(ModuleLaunch launch, Path workDir) {
        try {
            Files.createDirectories(workDir);
            Path tmp = Files.createDirectories(workDir.resolve(".tmp"));
            for (Map.Entry<String, String> file : launch.files().entrySet()) {
                Path target = workDir.resolve(file.getKey());
                Files.createDirectories(target.getParent());
                Files.writeString(target, file.getValue());
            }
            Set<Path> before = listFiles(workDir);

            // Quick start-up: these runs are short, and there are many.
            List<String> command = launch.command(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Xshare:auto", "-XX:ErrorFile=" + workDir.resolve("hs_err_pid%p.log"),
                    "-Djava.io.tmpdir=" + tmp));

            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("OPENAI_") || name.startsWith("AWS_"));
            builder.environment().putAll(launch.env());

            long start = System.nanoTime();
            Process process = builder.start();
            process.getOutputStream().close();
            Started started = new Started(launch, workDir, before, command, process, start);
            started.commandLine.addAll(process.info().arguments().map(List::of).orElse(List.of()));
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A module's JVM that is running: its output so far, a wait for a line it prints (a server's
     * "listening on ..."), and a stop that ends it as Ctrl-C would and returns what it left behind.
     */
    public static final class Started {
        private final ModuleLaunch launch;
        private final Path workDir;
        private final Set<Path> before;
        private final List<String> commandLine;
        private final Process process;
        private final long startNanos;
        // Bytes, decoded when read: a chunk may end in the middle of a character.
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Thread outReader;
        private final Thread errReader;

        private Started(ModuleLaunch launch, Path workDir, Set<Path> before, List<String> command, Process process,
                        long startNanos) {
            this.launch = launch;
            this.workDir = workDir;
            this.before = before;
            this.commandLine = new ArrayList<>(command);
            this.process = process;
            this.startNanos = startNanos;
            // A thread per stream: a child blocked on a full stderr pipe while we read stdout would hang.
            this.outReader = drain(process.getInputStream(), out);
            this.errReader = drain(process.getErrorStream(), err);
        }

        /**
         * Waits until stdout or stderr holds a line matching {@code pattern}; returns the match.
         *
         * @throws AssertionError when the process ends, or {@code timeout} passes, first
         */
        public Matcher awaitLine(Pattern pattern, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (this) {
                while (true) {
                    for (String text : List.of(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8))) {
                        for (String line : text.split("\n")) {
                            Matcher m = pattern.matcher(line);
                            if (m.find()) {
                                return m;
                            }
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || (!process.isAlive() && !outReader.isAlive() && !errReader.isAlive())) {
                        throw new AssertionError(launch.mainClass() + (process.isAlive() ? " printed no line matching "
                                + pattern + " within " + timeout : " ended (exit " + process.exitValue()
                                + ") without printing a line matching " + pattern));
                    }
                    try {
                        wait(Math.min(100, Math.max(1, left / 1_000_000)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
            }
        }

        /** Ends the process as Ctrl-C would (forcibly after 10 s) and returns what it left behind. */
        public RunResult stop() {
            process.destroy();
            try {
                if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            return result();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        private RunResult result() {
            try {
                outReader.join();
                errReader.join();
                Set<Path> written = listFiles(workDir);
                written.removeAll(before);
                String stdout;
                String stderr;
                synchronized (this) {
                    stdout = out.toString(StandardCharsets.UTF_8);
                    stderr = err.toString(StandardCharsets.UTF_8);
                }
                return new RunResult(process.exitValue(), stdout, stderr, List.copyOf(commandLine),
                        written.stream().sorted().collect(Collectors.toList()),
                        Duration.ofNanos(System.nanoTime() - startNanos));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        private Thread drain(InputStream stream, ByteArrayOutputStream into) {
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (stream) {
                    for (int n; (n = stream.read(buffer)) > 0; ) {
                        synchronized (this) {
                            into.write(buffer, 0, n);
                            notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
                synchronized (this) {
                    notifyAll();
                }
            }, "module-output-reader");
            reader.setDaemon(true);
            reader.start();
            return reader;
        }
    }

    private static Set<Path> listFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).collect(Collectors.toCollection(HashSet::new));
        }
    }
}
