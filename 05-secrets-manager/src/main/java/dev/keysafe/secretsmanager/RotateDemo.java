package dev.keysafe.secretsmanager;

import dev.keysafe.common.ConfigException;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.common.OpenAiSettings;
import dev.keysafe.secretsmanager.Ask.Asker;
import dev.keysafe.secretsmanager.Ask.Outcome;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rotation demo: asks from a few threads for some seconds, as a busy service would, while the
 * key may rotate, then prints how many calls failed. With the 401-refresh in {@link Ask} the count
 * is 0. It runs only against a local stub: against OpenAI itself it would pay for hundreds of asks.
 */
final class RotateDemo {

    /** The command-line argument that starts the demo: {@code rotate-demo [seconds]}. */
    static final String ARGUMENT = "rotate-demo";
    static final int THREADS = 4;
    static final int DEFAULT_SECONDS = 10;
    /** Each thread pauses this long between asks: about 80 asks a second in all. */
    static final Duration PAUSE = Duration.ofMillis(50);

    private final List<String> keysUsed = new ArrayList<>();
    private final AtomicInteger asks = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile int lastFailure = ExitCode.OK;

    private RotateDemo() {
    }

    static int run(Map<String, String> env, String[] args, Asker asker, SecretsManagerKey key, AuditLog audit,
                   PrintStream out, PrintStream err) {
        requireLocalStub(env);
        int seconds = seconds(args);
        out.println("rotate-demo: asking from " + THREADS + " threads for " + seconds + " s; rotate the secret "
                + key.secretId() + " meanwhile (see 05-secrets-manager/README.md).");
        RotateDemo demo = new RotateDemo();
        demo.askFor(Duration.ofSeconds(seconds), asker, key, out, err);
        out.println("rotate-demo: " + demo.asks.get() + " asks, " + demo.failed.get() + " failed; keys used: "
                + String.join(" -> ", demo.keysUsed) + "; Secrets Manager calls: " + key.secretsManagerCalls()
                + (audit.enabled() ? "; audit rows: " + audit.written() + " written, " + audit.failed() + " failed" : ""));
        return demo.failed.get() == 0 ? ExitCode.OK : demo.lastFailure;
    }

    private void askFor(Duration duration, Asker asker, SecretsManagerKey key, PrintStream out, PrintStream err) {
        // One ask first, so the window is spent asking rather than warming up the client.
        askOnce(asker, key, out, err);
        long deadline = System.nanoTime() + duration.toNanos();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        for (int t = 0; t < THREADS; t++) {
            threads.execute(() -> {
                while (System.nanoTime() < deadline) {
                    askOnce(asker, key, out, err);
                    pause();
                }
            });
        }
        threads.shutdown();
        try {
            threads.awaitTermination(duration.toSeconds() + 60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void askOnce(Asker asker, SecretsManagerKey key, PrintStream out, PrintStream err) {
        Outcome outcome = asker.ask("Say hi (rotate-demo).");
        asks.incrementAndGet();
        if (outcome.exitCode() != ExitCode.OK) {
            failed.incrementAndGet();
            lastFailure = outcome.exitCode();
            err.println("failed: " + outcome.text());
        }
        noteKey(key, out);
    }

    /** Prints the key in use when it changes; read under the lock, so the order printed is the real one. */
    private synchronized void noteKey(SecretsManagerKey key, PrintStream out) {
        String fingerprint = key.current().fingerprint();
        if (keysUsed.isEmpty() || !keysUsed.get(keysUsed.size() - 1).equals(fingerprint)) {
            keysUsed.add(fingerprint);
            out.println("key in use: " + fingerprint + " (from ask " + asks.get() + ")");
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int seconds(String[] args) {
        if (args.length < 2) {
            return DEFAULT_SECONDS;
        }
        try {
            int seconds = Integer.parseInt(args[1]);
            if (seconds > 0 && seconds <= 600) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new ConfigException(ARGUMENT + " takes a number of seconds from 1 to 600, e.g. " + ARGUMENT + " 10.");
    }

    private static void requireLocalStub(Map<String, String> env) {
        String host = URI.create(OpenAiSettings.baseUrl(env)).getHost();
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("[::1]")) {
            throw new ConfigException(ARGUMENT + " asks hundreds of times, so it runs only against a local stub: "
                    + "set OPENAI_BASE_URL to one on 127.0.0.1 (./kit run 05 --offline " + ARGUMENT + ").");
        }
    }
}
