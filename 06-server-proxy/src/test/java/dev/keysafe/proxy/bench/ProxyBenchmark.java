package dev.keysafe.proxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.proxy.store.ProxyDatabase;
import dev.keysafe.testkit.Canary;
import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * keysafe's hot path against its peers, side by side in one run on one fast upstream (nginx answering
 * a fixed chat completion): called directly with the key, through nginx as a plain reverse proxy,
 * through Portkey's AI gateway, and through keysafe (in memory, and with PROXY_STORE=postgres, reported
 * beside). The load comes from {@code wrk}: sequential latency (1 connection: p50, p99) and throughput
 * (32 connections), each the median of {@link #ROUNDS} rounds taken in turn, after the JVMs are warmed
 * for {@link #WARM_UP}; a stream's first chunk is timed for direct, nginx and keysafe, asked in turn.
 * The report goes to the console and {@code target/benchmark.txt}; then the targets are asserted, so
 * a regression fails the run. A peer that cannot run here is skipped with a one-line reason.
 *
 * <pre>./mvnw -o -f 06-server-proxy/pom.xml -Pbench test</pre>
 */
class ProxyBenchmark {

    static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.seconds", 5));
    static final Duration WARM_UP = Duration.ofSeconds(15);
    static final int CONNECTIONS = 32;
    static final int STREAMS = 300;

    /** The targets (issue 15), for keysafe with its state in memory. */
    static final double MAX_ADDED_P50_MILLIS = 0.15;
    static final double MIN_SHARE_OF_NGINX = 0.25;
    static final double MAX_FIRST_CHUNK_ADDED_MILLIS = 1.0;

    static final String DIRECT = "direct";
    static final String NGINX = "nginx (reverse proxy)";
    static final String KEYSAFE = "keysafe (memory)";
    static final String KEYSAFE_DEFAULT_GC = "keysafe (memory, G1)";
    static final String KEYSAFE_POSTGRES = "keysafe (postgres)";
    /**
     * The JVM options REFERENCE.md recommends for the proxy on a small machine: the throughput collector. The
     * JVM's default (G1, on 2 cores and 2 GB) spends 1.5 to 2 times the CPU per request here; its row is beside.
     */
    static final List<String> RECOMMENDED_JVM = List.of("-XX:+UseParallelGC");

    static final String BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    static final String STREAM_BODY = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hello\"}]}";

    /** The medians of one peer's rounds. */
    record Figures(double p50Micros, double p99Micros, double perSecond, long errors) {
    }

    @Test
    void keysafe_beside_its_peers() throws Exception {
        Path folder = Files.createDirectories(Path.of("target", "bench").toAbsolutePath());
        Wrk wrk = Wrk.in(folder);
        Assumptions.assumeTrue(wrk != null, "wrk is not installed (Debian: apt-get install wrk): nothing can be measured");
        Canary key = Canary.fresh();
        List<String> skipped = new ArrayList<>();
        List<AutoCloseable> running = new ArrayList<>();
        Map<String, Peer> peers = new LinkedHashMap<>();
        try {
            Nginx nginx = Nginx.start(folder);
            Assumptions.assumeTrue(nginx != null, "nginx is not installed (Debian: apt-get install nginx-light): "
                    + "there is no fast upstream to measure against");
            running.add(nginx);
            String upstream = nginx.upstreamBaseUrl();
            peers.put(DIRECT, new Peer(DIRECT, upstream + "/chat/completions", key.value(), Map.of()));
            peers.put(NGINX, new Peer(NGINX, nginx.proxyBaseUrl() + "/chat/completions", key.value(), Map.of()));
            String portkeyMissing = Portkey.missing();
            if (portkeyMissing == null) {
                try {
                    Portkey portkey = Portkey.start(folder);
                    running.add(portkey);
                    Peer peer = portkey.peer(upstream, key.value());
                    peers.put(peer.name(), peer);
                } catch (IllegalStateException e) {
                    skipped.add("Portkey: skipped, " + firstLine(e.getMessage()));
                }
            } else {
                skipped.add("Portkey: skipped, " + portkeyMissing);
            }
            skipped.add("Spring Cloud Gateway: skipped, it is not part of the kit's build (Spring Boot is not in "
                    + "its offline repository)");
            List<String> jvm = new ArrayList<>(RECOMMENDED_JVM);
            jvm.addAll(ProxyProcess.jvmOptions());
            ProxyProcess memory = ProxyProcess.start(KEYSAFE, folder, upstream, key.value(), Map.of(), jvm);
            running.add(memory);
            peers.put(KEYSAFE, memory.peer(KEYSAFE));
            ProxyProcess defaults = ProxyProcess.start(KEYSAFE_DEFAULT_GC, folder, upstream, key.value(), Map.of(),
                    List.of());
            running.add(defaults);
            peers.put(KEYSAFE_DEFAULT_GC, defaults.peer(KEYSAFE_DEFAULT_GC));
            ProxyDatabase database = ProxyDatabase.create();
            ProxyProcess postgres = ProxyProcess.start(KEYSAFE_POSTGRES, folder, upstream, key.value(),
                    ProxyProcess.postgres(database.url(), database.user, database.password.value()), RECOMMENDED_JVM);
            running.add(postgres);
            peers.put(KEYSAFE_POSTGRES, postgres.peer(KEYSAFE_POSTGRES));

            for (Peer peer : peers.values()) {
                // The JVMs' JIT needs its time (with 5 s, keysafe's added p50 read 0.45-0.56 ms); Node's less.
                Duration warm = peer.name().startsWith("keysafe") ? WARM_UP
                        : peer.name().startsWith("Portkey") ? Duration.ofSeconds(5) : Duration.ofSeconds(2);
                wrk.run(peer, BODY, CONNECTIONS, warm);
            }
            Map<String, List<Wrk.Run>> sequential = new LinkedHashMap<>();
            Map<String, List<Wrk.Run>> concurrent = new LinkedHashMap<>();
            List<Peer> order = new ArrayList<>(peers.values());
            for (int round = 0; round < ROUNDS; round++) {
                // In turn, starting each round one further on, so no peer always runs first or last.
                Collections.rotate(order, 1);
                for (Peer peer : order) {
                    sequential.computeIfAbsent(peer.name(), n -> new ArrayList<>()).add(wrk.run(peer, BODY, 1, RUN));
                    concurrent.computeIfAbsent(peer.name(), n -> new ArrayList<>())
                            .add(wrk.run(peer, BODY, CONNECTIONS, RUN));
                }
            }
            Map<String, Figures> figures = new LinkedHashMap<>();
            for (String name : peers.keySet()) {
                figures.put(name, medians(sequential.get(name), concurrent.get(name)));
            }
            Map<String, Double> firstChunk = firstChunkMillis(List.of(DIRECT, NGINX, KEYSAFE, KEYSAFE_POSTGRES).stream()
                    .filter(peers::containsKey).map(peers::get).toList());

            String report = report(figures, firstChunk, skipped);
            System.out.println(report);
            Files.writeString(Path.of("target", "benchmark.txt"), report);

            Figures direct = figures.get(DIRECT);
            Figures keysafe = figures.get(KEYSAFE);
            assertThat(figures).allSatisfy((name, f) -> assertThat(f.errors()).as("errors through %s", name).isZero());
            assertThat((keysafe.p50Micros() - direct.p50Micros()) / 1_000).as("keysafe's added p50, ms")
                    .isLessThanOrEqualTo(MAX_ADDED_P50_MILLIS);
            assertThat(keysafe.perSecond() / figures.get(NGINX).perSecond()).as("keysafe's throughput / nginx's")
                    .isGreaterThanOrEqualTo(MIN_SHARE_OF_NGINX);
            assertThat(firstChunk.get(KEYSAFE) - firstChunk.get(DIRECT)).as("first chunk, ms after direct's")
                    .isLessThanOrEqualTo(MAX_FIRST_CHUNK_ADDED_MILLIS);
            figures.entrySet().stream().filter(e -> e.getKey().startsWith("Portkey")).forEach(portkey -> {
                assertThat(portkey.getValue().p50Micros()).as("Portkey's p50 behind keysafe's")
                        .isGreaterThan(keysafe.p50Micros());
                assertThat(portkey.getValue().perSecond()).as("Portkey's throughput behind keysafe's")
                        .isLessThan(keysafe.perSecond());
            });
        } finally {
            Collections.reverse(running);
            for (AutoCloseable each : running) {
                each.close();
            }
        }
    }

    private static Figures medians(List<Wrk.Run> sequential, List<Wrk.Run> concurrent) {
        return new Figures(median(sequential.stream().mapToDouble(Wrk.Run::p50Micros).toArray()),
                median(sequential.stream().mapToDouble(Wrk.Run::p99Micros).toArray()),
                median(concurrent.stream().mapToDouble(Wrk.Run::perSecond).toArray()),
                sequential.stream().mapToLong(Wrk.Run::errors).sum() + concurrent.stream().mapToLong(Wrk.Run::errors).sum());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /**
     * For each peer, the median time over {@link #STREAMS} streamed requests on one kept-alive
     * connection (as an SDK calls), from sending the request to the first byte of the answer's body.
     * The peers are asked in turn, one request each, so a pause of the machine's (a collection, a
     * neighbour's burst) falls on all of them alike instead of on whichever ran then. The measuring
     * client is the JDK's, one per peer.
     */
    private static Map<String, Double> firstChunkMillis(List<Peer> peers) throws Exception {
        Map<String, HttpClient> clients = new LinkedHashMap<>();
        Map<String, double[]> millis = new LinkedHashMap<>();
        for (Peer peer : peers) {
            clients.put(peer.name(), HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
            millis.put(peer.name(), new double[STREAMS]);
        }
        for (int i = 0; i < STREAMS + 100; i++) {
            for (Peer peer : peers) {
                double firstByte = firstByteMillis(clients.get(peer.name()), peer);
                // The first 100 warm the measuring client's own code.
                if (i >= 100) {
                    millis.get(peer.name())[i - 100] = firstByte;
                }
            }
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        millis.forEach((name, times) -> medians.put(name, median(times)));
        return medians;
    }

    private static double firstByteMillis(HttpClient http, Peer peer) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(peer.url())).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + peer.bearer())
                .POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY)).build();
        long start = System.nanoTime();
        HttpResponse<InputStream> answer = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = answer.body()) {
            if (body.read() < 0 || answer.statusCode() != 200) {
                throw new IOException(peer.name() + " answered HTTP " + answer.statusCode() + " with no stream");
            }
            long firstByte = System.nanoTime() - start;
            body.readAllBytes();
            return firstByte / 1e6;
        }
    }

    private static String report(Map<String, Figures> figures, Map<String, Double> firstChunk, List<String> skipped) {
        Figures direct = figures.get(DIRECT);
        Figures nginx = figures.get(NGINX);
        StringBuilder out = new StringBuilder();
        line(out, "%s rounds of %d s each, medians; wrk -t1, 1 connection for latency, %d for throughput; JVMs "
                + "warmed %d s; keysafe's JVM with %s unless named", ROUNDS, RUN.toSeconds(), CONNECTIONS,
                WARM_UP.toSeconds(), String.join(" ", RECOMMENDED_JVM));
        line(out, "%-26s %9s %9s %12s %10s %8s %8s %7s", "target", "p50 ms", "p99 ms", "added p50", "req/s",
                "% direct", "% nginx", "errors");
        figures.forEach((name, f) -> line(out, "%-26s %9.3f %9.3f %12s %10.0f %7.0f%% %7.0f%% %7d", name,
                f.p50Micros() / 1_000, f.p99Micros() / 1_000, name.equals(DIRECT) ? "-"
                        : String.format(Locale.ROOT, "%.3f ms", (f.p50Micros() - direct.p50Micros()) / 1_000),
                f.perSecond(), 100 * f.perSecond() / direct.perSecond(), 100 * f.perSecond() / nginx.perSecond(),
                f.errors()));
        firstChunk.forEach((name, millis) -> line(out, "stream, first chunk (median of %d) %-20s %7.3f ms%s", STREAMS,
                name, millis, name.equals(DIRECT) ? ""
                        : String.format(Locale.ROOT, " (%+.3f ms)", millis - firstChunk.get(DIRECT))));
        skipped.forEach(reason -> line(out, "%s", reason));
        return out.toString();
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String firstLine(String text) {
        return String.valueOf(text).lines().findFirst().orElse("").strip();
    }
}
