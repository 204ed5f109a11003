package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.proxy.store.PostgresStore;
import dev.keysafe.proxy.store.ProxyDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Sustained load against two proxy instances sharing one PostgreSQL database, as behind a load
 * balancer: {@code soak.clients} concurrent clients (default 16) for {@code soak.seconds} (default
 * 60) after a 10-second warm-up, a third of the calls streamed, over several client tokens.
 * Reports throughput, p50/p99 latency per kind, errors, and the heap after a full GC at the start
 * and at the end; asserts no error, a ledger that holds exactly the answered calls, a heap that
 * does not keep growing, and two healthy instances afterwards.
 *
 * <p>The OpenAI stub runs as its own JVM, so its request journal is not counted in this heap.
 * Not part of {@code ./mvnw verify}:
 * {@code ./mvnw -o -f 06-server-proxy/pom.xml -Psoak verify -Dsoak.seconds=60}. The report goes to
 * the console and to {@code target/soak.txt}.
 */
class ProxySoak {

    static final int SECONDS = Integer.getInteger("soak.seconds", 60);
    static final int CLIENTS = Integer.getInteger("soak.clients", 16);
    static final int TOKENS = 8;
    static final Duration WARM_UP = Duration.ofSeconds(10);
    static final String MODEL = "gpt-4o-mini";

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final LongAdder answered = new LongAdder();

    /** Latencies of one kind of call, in nanoseconds. */
    static final class Latencies {
        final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());

        long percentile(int p) {
            List<Long> sorted;
            synchronized (nanos) {
                sorted = new ArrayList<>(nanos);
            }
            Collections.sort(sorted);
            return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
        }
    }

    @Test
    void two_instances_on_one_database_under_sustained_load() throws Exception {
        Process stubProcess = startStubJvm();
        try (BufferedReader stubOut = new BufferedReader(new InputStreamReader(stubProcess.getInputStream(),
                StandardCharsets.UTF_8))) {
            String baseUrl = null;
            String key = null;
            for (String line; (baseUrl == null || key == null) && (line = stubOut.readLine()) != null; ) {
                if (line.contains("OPENAI_BASE_URL=")) {
                    baseUrl = line.substring(line.indexOf('=') + 1).strip();
                } else if (line.contains("OPENAI_API_KEY=")) {
                    key = line.substring(line.indexOf("OPENAI_API_KEY=") + "OPENAI_API_KEY=".length()).strip();
                }
            }
            assertThat(baseUrl).as("the stub's URL").isNotNull();
            assertThat(key).as("the stub's throwaway key").isNotNull();
            soak(baseUrl, key);
        } finally {
            stubProcess.destroy();
            stubProcess.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void soak(String upstream, String key) throws Exception {
        ProxyDatabase database = ProxyDatabase.create();
        try (PostgresStore storeA = (PostgresStore) database.settings().open();
             PostgresStore storeB = (PostgresStore) database.settings().open();
             TestProxy a = TestProxy.start(upstream, key, storeA, Clock.systemUTC());
             TestProxy b = TestProxy.start(upstream, key, storeB, Clock.systemUTC())) {
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < TOKENS; i++) {
                tokens.add((i % 2 == 0 ? a : b).issue("soak-" + i, List.of(MODEL), "1000000", 1_000_000, 64));
            }
            List<TestProxy> instances = List.of(a, b);

            run(instances, tokens, WARM_UP, new Latencies(), new Latencies());
            long heapStart = heapAfterGc();
            long answeredBefore = answered.sum();
            Latencies plain = new Latencies();
            Latencies streamed = new Latencies();
            long started = System.nanoTime();
            run(instances, tokens, Duration.ofSeconds(SECONDS), plain, streamed);
            double elapsed = (System.nanoTime() - started) / 1e9;
            long heapEnd = heapAfterGc();
            long calls = answered.sum() - answeredBefore;

            long ledgerRows = Long.parseLong(database.query("SELECT count(*) FROM usage_ledger").get(0));
            StringBuilder report = new StringBuilder();
            line(report, "soak: 2 proxy instances, 1 PostgreSQL database, %d clients, %d tokens, %d s (+%d s warm-up)",
                    CLIENTS, TOKENS, SECONDS, WARM_UP.toSeconds());
            line(report, "answered           %d calls, %.0f /s", calls, calls / elapsed);
            line(report, "plain latency      p50 %.2f ms, p99 %.2f ms (%d calls)", plain.percentile(50) / 1e6,
                    plain.percentile(99) / 1e6, plain.nanos.size());
            line(report, "streamed latency   p50 %.2f ms, p99 %.2f ms (%d calls, to the last chunk)",
                    streamed.percentile(50) / 1e6, streamed.percentile(99) / 1e6, streamed.nanos.size());
            line(report, "errors             %s", errors.isEmpty() ? "0" : errors.toString());
            line(report, "heap after GC      %.1f MiB at the start, %.1f MiB at the end", heapStart / 1048576.0,
                    heapEnd / 1048576.0);
            line(report, "ledger rows        %d (answered, warm-up included: %d)", ledgerRows, answered.sum());
            System.out.println(report);
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "soak.txt"), report);

            assertThat(errors).as("errors").isEmpty();
            assertThat(calls).as("calls answered").isPositive();
            assertThat(ledgerRows).as("one ledger row per answered call").isEqualTo(answered.sum());
            // After a full GC, what is left is what the proxies keep: it must not grow with the load.
            assertThat(heapEnd).as("heap after GC at the end").isLessThan(heapStart + heapStart / 2 + 16 * 1048576L);
            for (TestProxy instance : instances) {
                assertThat(instance.get("/health", null).statusCode()).isEqualTo(200);
            }
        }
    }

    /** {@link #CLIENTS} clients calling both instances in turn for {@code length}. */
    private void run(List<TestProxy> instances, List<String> tokens, Duration length, Latencies plain,
                     Latencies streamed) throws InterruptedException {
        long end = System.nanoTime() + length.toNanos();
        AtomicLong turn = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            clients.execute(() -> {
                while (System.nanoTime() < end) {
                    long n = turn.incrementAndGet();
                    TestProxy instance = instances.get((int) (n % instances.size()));
                    String token = tokens.get(ThreadLocalRandom.current().nextInt(tokens.size()));
                    boolean stream = n % 3 == 0;
                    call(instance, token, stream, stream ? streamed : plain);
                }
            });
        }
        clients.shutdown();
        if (!clients.awaitTermination(length.toSeconds() + 60, TimeUnit.SECONDS)) {
            clients.shutdownNow();
            errors.computeIfAbsent("clients did not finish", k -> new LongAdder()).increment();
        }
    }

    private void call(TestProxy instance, String token, boolean stream, Latencies latencies) {
        HttpRequest request = instance.request("/v1/chat/completions", token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(stream ? TestProxy.chatStream(MODEL) : TestProxy.chat(MODEL)))
                .build();
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - start;
            boolean complete = !stream || response.body().contains("data: [DONE]");
            if (response.statusCode() == 200 && complete) {
                answered.increment();
                latencies.nanos.add(took);
            } else {
                errors.computeIfAbsent("HTTP " + response.statusCode() + (complete ? "" : " (stream cut)"),
                        k -> new LongAdder()).increment();
            }
        } catch (IOException e) {
            errors.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** The stub as its own JVM, on a throwaway key it prints (never put on a command line). */
    private static Process startStubJvm() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), "dev.keysafe.testkit.stub.OpenAiStub")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(name -> name.startsWith("OPENAI_") || name.startsWith("AWS_"));
        return builder.start();
    }

    private static void line(StringBuilder report, String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
