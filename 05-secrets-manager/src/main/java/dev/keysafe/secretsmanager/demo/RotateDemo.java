package dev.keysafe.secretsmanager.demo;

import com.openai.client.OpenAIClient;
import com.openai.credential.BearerTokenCredential;
import dev.keysafe.common.ConfigException;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.common.OpenAiCall.Failure;
import dev.keysafe.common.OpenAiSettings;
import dev.keysafe.secretsmanager.Ask.Asker;
import dev.keysafe.secretsmanager.RetryAfterRotation;
import dev.keysafe.secretsmanager.SecretsManagerKey;
import dev.keysafe.secretsmanager.audit.AuditLog;
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
 * key may rotate, then prints how many calls failed. With the lesson's {@link RetryAfterRotation}
 * the count is 0. It runs only against a local stub: against OpenAI it would pay for hundreds of
 * asks. With AUDIT_JDBC_URL set, every ask is audited too, and the rows are counted.
 *
 * <pre>./kit run 05 --offline rotate-demo [seconds]
 * java dev.keysafe.secretsmanager.demo.RotateDemo [seconds]</pre>
 */
public final class RotateDemo {

    /** The demo's name on the kit's command line: {@code ./kit run 05 --offline rotate-demo}. */
    public static final String NAME = "rotate-demo";
    static final int THREADS = 4;
    static final int DEFAULT_SECONDS = 10;
    /** Each thread pauses this long between asks: about 80 asks a second in all. */
    static final Duration PAUSE = Duration.ofMillis(50);
    static final String QUESTION = "Say hi (rotate-demo).";

    private final List<String> keysUsed = new ArrayList<>();
    private final AtomicInteger asks = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile int lastFailure = ExitCode.OK;

    private RotateDemo() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    /** The whole demo, with its inputs as parameters; returns the exit code. */
    static int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err) {
        try {
            requireLocalStub(env);
            int seconds = seconds(args);
            AuditLog audit = AuditLog.from(env, err::println);
            Asker asker = audit.enabled() ? audit : RetryAfterRotation::ask;
            String model = OpenAiSettings.model(env);
            try (SecretsManagerKey key = SecretsManagerKey.from(env, err::println)) {
                // As the lesson does: fetch first, and ask through a client that reads the cache on every request.
                key.current();
                OpenAIClient client = OpenAiCall.client(BearerTokenCredential.create(() -> key.current().reveal()), env);
                try {
                    out.println(NAME + ": asking from " + THREADS + " threads for " + seconds + " s; rotate the secret "
                            + key.secretId() + " meanwhile (see 05-secrets-manager/README.md).");
                    RotateDemo demo = new RotateDemo();
                    demo.askFor(Duration.ofSeconds(seconds), () -> asker.ask(client, key, model, QUESTION), key, out, err);
                    out.println(NAME + ": " + demo.asks.get() + " asks, " + demo.failed.get() + " failed; keys used: "
                            + String.join(" -> ", demo.keysUsed) + "; Secrets Manager calls: " + key.secretsManagerCalls()
                            + (audit.enabled() ? "; audit rows: " + audit.written() + " written, " + audit.failed()
                            + " failed" : ""));
                    return demo.failed.get() == 0 ? ExitCode.OK : demo.lastFailure;
                } finally {
                    client.close();
                }
            }
        } catch (RuntimeException e) {
            Failure failure = OpenAiCall.explain(e);
            err.println(failure.message());
            return failure.exitCode();
        }
    }

    private void askFor(Duration duration, Runnable ask, SecretsManagerKey key, PrintStream out, PrintStream err) {
        // One ask first, so the window is spent asking rather than warming up the client.
        askOnce(ask, key, out, err);
        long deadline = System.nanoTime() + duration.toNanos();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        for (int t = 0; t < THREADS; t++) {
            threads.execute(() -> {
                while (System.nanoTime() < deadline) {
                    askOnce(ask, key, out, err);
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

    private void askOnce(Runnable ask, SecretsManagerKey key, PrintStream out, PrintStream err) {
        try {
            ask.run();
        } catch (RuntimeException e) {
            Failure failure = OpenAiCall.explain(e);
            failed.incrementAndGet();
            lastFailure = failure.exitCode();
            err.println("failed: " + failure.message());
        }
        asks.incrementAndGet();
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

    /** The optional number of seconds; the demo's own name before it, as the kit's command line has it, is skipped. */
    private static int seconds(String[] args) {
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && rest.get(0).equals(NAME)) {
            rest.remove(0);
        }
        if (rest.isEmpty()) {
            return DEFAULT_SECONDS;
        }
        try {
            int seconds = Integer.parseInt(rest.get(0));
            if (seconds > 0 && seconds <= 600) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new ConfigException(NAME + " takes a number of seconds from 1 to 600, e.g. " + NAME + " 10.");
    }

    private static void requireLocalStub(Map<String, String> env) {
        String host = URI.create(OpenAiSettings.baseUrl(env)).getHost();
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("[::1]")) {
            throw new ConfigException(NAME + " asks hundreds of times, so it runs only against a local stub: "
                    + "set OPENAI_BASE_URL to one on 127.0.0.1 (./kit run 05 --offline " + NAME + ").");
        }
    }
}
