package dev.keysafe.testkit.run;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

    private ModuleRunner() {
    }

    /** Runs {@code launch} in {@code workDir} (created if missing), with its own temp dir inside it. */
    public static RunResult run(ModuleLaunch launch, Path workDir) {
        return run(launch, workDir, DEFAULT_TIMEOUT);
    }

    public static RunResult run(ModuleLaunch launch, Path workDir, Duration timeout) {
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
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            List<String> seen = process.info().arguments().map(List::of).orElse(List.of());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(launch.mainClass() + " did not finish within " + timeout);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            List<String> commandLine = new ArrayList<>(command);
            commandLine.addAll(seen);
            Set<Path> written = listFiles(workDir);
            written.removeAll(before);
            return new RunResult(process.exitValue(), out.join(), err.join(), commandLine,
                    written.stream().sorted().collect(Collectors.toList()), took);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + launch.mainClass(), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        // A thread per stream: on two cores the common pool has one worker, and a child blocked
        // on a full stderr pipe while we wait on stdout would hang the run.
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task -> {
            Thread reader = new Thread(task, "module-output-reader");
            reader.setDaemon(true);
            reader.start();
        });
    }

    private static Set<Path> listFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).collect(Collectors.toCollection(HashSet::new));
        }
    }
}
