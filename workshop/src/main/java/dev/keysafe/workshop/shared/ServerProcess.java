package dev.keysafe.workshop.shared;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.workshop.KitException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A module's server started as its own JVM, kept running while the kit works with it. Its output
 * is kept (and, for a user, shown as it comes) while the kit waits for the line saying it serves.
 * Closing it stops the server the way Ctrl-C or a service manager would (SIGTERM, so its shutdown
 * hook runs), and for good if it has not stopped in time. The launcher's own Ctrl-C stops it too:
 * a server left behind would keep its port.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final List<String> command;
    private final StringBuffer stdout = new StringBuffer();
    private final StringBuffer stderr = new StringBuffer();
    private final CompletableFuture<Optional<String>> ready = new CompletableFuture<>();
    private final Thread readOut;
    private final Thread readErr;
    private final Thread stopOnExit;
    private boolean closed;

    private ServerProcess(Process process, List<String> command, Pattern readyLine, PrintWriter echoOut,
                          PrintWriter echoErr) {
        this.process = process;
        this.command = command;
        this.readOut = read(process.getInputStream(), stdout, echoOut, readyLine);
        this.readErr = read(process.getErrorStream(), stderr, echoErr, null);
        this.stopOnExit = new Thread(this::close, "stop-server");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Starts {@code launch} in {@code workDir} (its files planted there first) with exactly the
     * environment {@code env} plus the launch's own. {@code echoOut} and {@code echoErr}, when not
     * null, get the server's output as it comes; it is kept either way.
     */
    public static ServerProcess start(ModuleLaunch launch, Path workDir, Map<String, String> env, Pattern readyLine,
                               PrintWriter echoOut, PrintWriter echoErr) {
        try {
            ProcessBuilder builder = ProcessStart.builder(launch, workDir, env);
            Process process = builder.start();
            process.getOutputStream().close();
            return new ServerProcess(process, builder.command(), readyLine, echoOut, echoErr);
        } catch (IOException e) {
            throw new KitException("cannot start " + launch.mainClass() + ": " + e.getMessage(), ExitCode.FAILED);
        }
    }

    /**
     * Waits for the ready line and returns the URL in it; empty when the server ended first (a
     * wrong setting, a port in use: its own message is in {@link #stderr()}).
     */
    public Optional<String> awaitReady(Duration timeout) {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new KitException("the server did not say it was ready within " + timeout.toSeconds() + " s", ExitCode.FAILED);
        } catch (ExecutionException e) {
            throw new KitException("cannot read the server's output: " + e.getCause().getMessage(), ExitCode.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KitException("interrupted while waiting for the server", 130);
        }
    }

    /** Waits up to {@code max} for the server to end by itself; true when it has. */
    public boolean waitFor(Duration max) throws InterruptedException {
        return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until the server ends by itself, and returns its exit code. */
    public int waitForExit() throws InterruptedException {
        return process.waitFor();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its exit code; only once it has ended. */
    public int exitCode() {
        return process.exitValue();
    }

    /** Everything it printed on stdout so far. */
    public String stdout() {
        return stdout.toString();
    }

    /** Everything it printed on stderr so far. */
    public String stderr() {
        return stderr.toString();
    }

    /** Its command line as started, then as the operating system reports it (what {@code ps} shows). */
    public List<String> commandLine() {
        List<String> all = new ArrayList<>(command);
        process.info().arguments().ifPresent(arguments -> all.addAll(List.of(arguments)));
        return all;
    }

    /** Stops the server (SIGTERM, then for good after a grace period) and waits for its output to end. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            readOut.join(5_000);
            readErr.join(5_000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (Thread.currentThread() != stopOnExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway, on a server that has already stopped
            }
        }
    }

    private Thread read(InputStream from, StringBuffer kept, PrintWriter echo, Pattern readyLine) {
        Thread reader = new Thread(() -> {
            // The child writes in the platform charset, as this JVM does.
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(from, Charset.defaultCharset()))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    kept.append(line).append('\n');
                    if (echo != null) {
                        echo.println(line);
                        echo.flush();
                    }
                    if (readyLine != null && !ready.isDone()) {
                        Matcher matcher = readyLine.matcher(line);
                        if (matcher.find()) {
                            ready.complete(Optional.of(matcher.group(1)));
                        }
                    }
                }
            } catch (IOException e) {
                // the stream closed under us: the server is gone
            } finally {
                if (readyLine != null) {
                    ready.complete(Optional.empty());
                }
            }
        }, "server-output");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }
}
