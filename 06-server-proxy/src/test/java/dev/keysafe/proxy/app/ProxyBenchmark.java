package dev.keysafe.proxy.app;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What the proxy costs, measured in one run on loopback against the same stub: sequential latency
 * (median, p99) direct and through the proxy, throughput at 32 and 128 concurrent clients, and
 * first-chunk latency of a stream. Not a test (nothing asserts on speed); run it with
 * {@code ./mvnw -o -f 06-server-proxy/pom.xml -Pbench test}. Results go to the console and to
 * {@code target/benchmark.txt}.
 */
class ProxyBenchmark {

    static final int SEQUENTIAL = 2_000;
    static final int STREAMS = 300;
    static final Duration THROUGHPUT_WINDOW = Duration.ofSeconds(6);

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One way to call: direct to the stub with the key, or through the proxy with a client token. */
    record Target(String name, String url, String bearer) {
    }

    @Test
    void measure() throws Exception {
        Canary key = Canary.fresh();
        StringBuilder report = new StringBuilder();
        try (OpenAiStub stub = OpenAiStub.start().acceptKeys(key.value());
             TestProxy proxy = TestProxy.start(stub.baseUrl(), key.value())) {
            String token = proxy.issue("bench", List.of("gpt-4o-mini"), "100000", 1_000_000, 64);
            Target direct = new Target("direct", stub.baseUrl() + "/chat/completions", key.value());
            Target proxied = new Target("proxy", proxy.base + "/v1/chat/completions", token);
            for (Target target : List.of(direct, proxied)) {
                sequential(target, 500);
            }
            line(report, "%-44s %10s %10s", "", "direct", "proxy");
            long[] d = percentiles(sequential(direct, SEQUENTIAL));
            long[] p = percentiles(sequential(proxied, SEQUENTIAL));
            line(report, "%-44s %8.2f ms %7.2f ms", "sequential latency, median (" + SEQUENTIAL + " calls)", d[0] / 1e6, p[0] / 1e6);
            line(report, "%-44s %8.2f ms %7.2f ms", "sequential latency, p99", d[1] / 1e6, p[1] / 1e6);
            line(report, "%-44s %11s %7.2f ms", "added median latency", "", (p[0] - d[0]) / 1e6);
            for (int clients : new int[] {32, 128}) {
                double dr = throughput(direct, clients);
                double pr = throughput(proxied, clients);
                line(report, "%-44s %7.0f /s %7.0f /s  (proxy %.0f%% of direct)", "throughput, " + clients
                        + " concurrent clients", dr, pr, 100 * pr / dr);
            }
            long[] df = percentiles(firstChunk(direct));
            long[] pf = percentiles(firstChunk(proxied));
            line(report, "%-44s %8.2f ms %7.2f ms", "stream first-chunk latency, median (" + STREAMS + ")",
                    df[0] / 1e6, pf[0] / 1e6);
            line(report, "%-44s %8.2f ms %7.2f ms", "stream first-chunk latency, p99", df[1] / 1e6, pf[1] / 1e6);
        }
        System.out.println(report);
        Files.writeString(Path.of("target", "benchmark.txt"), report);
    }

    private static void line(StringBuilder report, String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private HttpRequest request(Target target, boolean stream) {
        return HttpRequest.newBuilder(URI.create(target.url())).header("Authorization", "Bearer " + target.bearer())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(stream ? TestProxy.chatStream("gpt-4o-mini")
                        : TestProxy.chat("gpt-4o-mini"))).build();
    }

    private List<Long> sequential(Target target, int calls) throws Exception {
        List<Long> nanos = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            HttpResponse<String> answer = http.send(request(target, false), HttpResponse.BodyHandlers.ofString());
            nanos.add(System.nanoTime() - start);
            check(answer.statusCode());
        }
        return nanos;
    }

    private double throughput(Target target, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + THROUGHPUT_WINDOW.toNanos();
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    check(http.send(request(target, false), HttpResponse.BodyHandlers.ofString()).statusCode());
                    done.incrementAndGet();
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(THROUGHPUT_WINDOW.toSeconds() + 30, TimeUnit.SECONDS);
        return done.get() / (double) THROUGHPUT_WINDOW.toSeconds();
    }

    private List<Long> firstChunk(Target target) throws Exception {
        List<Long> nanos = new ArrayList<>(STREAMS);
        for (int i = 0; i < STREAMS; i++) {
            long start = System.nanoTime();
            HttpResponse<InputStream> answer = http.send(request(target, true), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = answer.body()) {
                body.read();
                nanos.add(System.nanoTime() - start);
                check(answer.statusCode());
                body.readAllBytes();
            }
        }
        return nanos;
    }

    private static void check(int status) {
        if (status != 200) {
            throw new IllegalStateException("HTTP " + status + " during the benchmark");
        }
    }

    /** Median and p99 of {@code nanos}. */
    private static long[] percentiles(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return new long[] {sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1)};
    }
}
