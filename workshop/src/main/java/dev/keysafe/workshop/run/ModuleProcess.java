package dev.keysafe.workshop.run;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.shared.ProcessStart;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Map;

/**
 * A module started as its own JVM for a user to watch: its output streams through as it comes,
 * and its exit code becomes the launcher's. (The leak suite's {@code ModuleRunner} captures output
 * instead, and strips the caller's OPENAI_* variables; this runs with exactly the environment given.)
 */
final class ModuleProcess {

    private ModuleProcess() {
    }

    /**
     * Runs {@code launch} in {@code workDir} with the environment {@code env} plus the launch's own,
     * copying its stdout to {@code out} and its stderr to {@code err}; returns its exit code.
     */
    static int run(ModuleLaunch launch, Path workDir, Map<String, String> env, boolean inheritStdin,
                   PrintWriter out, PrintWriter err) {
        try {
            ProcessBuilder builder = ProcessStart.builder(launch, workDir, env);
            builder.redirectInput(inheritStdin ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.PIPE);

            Process process = builder.start();
            if (!inheritStdin) {
                process.getOutputStream().close();
            }
            // Ctrl-C stops the launcher; the module must not outlive it (a server would keep its port).
            Thread stopModule = new Thread(process::destroy, "stop-module");
            Runtime.getRuntime().addShutdownHook(stopModule);
            Thread copyOut = copy(process.getInputStream(), out);
            Thread copyErr = copy(process.getErrorStream(), err);
            int exitCode = process.waitFor();
            copyOut.join();
            copyErr.join();
            try {
                Runtime.getRuntime().removeShutdownHook(stopModule);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway, on a process that has already ended
            }
            return exitCode;
        } catch (IOException e) {
            throw new KitException("cannot start " + launch.mainClass() + ": " + e.getMessage(), ExitCode.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KitException("interrupted while running " + launch.mainClass(), 130);
        }
    }

    private static Thread copy(InputStream from, PrintWriter to) {
        Thread copier = new Thread(() -> {
            // The child writes in the platform charset, as this JVM does.
            try (Reader reader = new InputStreamReader(from, Charset.defaultCharset())) {
                char[] buffer = new char[8192];
                for (int n; (n = reader.read(buffer)) >= 0; ) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "module-output");
        copier.setDaemon(true);
        copier.start();
        return copier;
    }
}
