package dev.keysafe.proxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator: Debian's {@code wrk}, a C program on one thread with epoll, so the cores it
 * takes are few and the same for every peer. Each run POSTs one chat completion body with the
 * peer's bearer and headers (passed in its environment, so no key is ever written to a file) and
 * answers latency percentiles, requests a second and errors.
 */
final class Wrk {

    static final Path BINARY = Path.of("/usr/bin/wrk");

    private static final String SCRIPT = """
            wrk.method = "POST"
            wrk.body = os.getenv("BENCH_BODY")
            wrk.headers["Content-Type"] = "application/json"
            wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_BEARER")
            for name, value in string.gmatch(os.getenv("BENCH_HEADERS") or "", "([^:\\n]+):%s*([^\\n]*)") do
              wrk.headers[name] = value
            end
            """;
    private static final Pattern PERCENTILE = Pattern.compile("(?m)^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: ([0-9]+)");
    private static final Pattern SOCKET = Pattern.compile("Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), "
            + "timeout ([0-9]+)");
    private static final Pattern REQUESTS = Pattern.compile("([0-9]+) requests in");

    /** One run: median and p99 latency in microseconds, requests a second, requests made, and errors. */
    record Run(double p50Micros, double p99Micros, double perSecond, long requests, long errors) {
    }

    private final Path script;

    private Wrk(Path script) {
        this.script = script;
    }

    /** A wrk with its script in {@code folder}; null when wrk is not installed. */
    static Wrk in(Path folder) {
        if (!Files.isExecutable(BINARY)) {
            return null;
        }
        try {
            return new Wrk(Files.writeString(folder.resolve("post.lua"), SCRIPT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Calls {@code peer} from {@code connections} connections for {@code length}. */
    Run run(Peer peer, String body, int connections, Duration length) {
        ProcessBuilder builder = new ProcessBuilder(BINARY.toString(), "-t1", "-c" + connections,
                "-d" + length.toSeconds() + "s", "--latency", "-s", script.toString(), peer.url())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("BENCH_BODY", body);
        env.put("BENCH_BEARER", peer.bearer());
        StringBuilder headers = new StringBuilder();
        peer.headers().forEach((name, value) -> headers.append(name).append(": ").append(value).append('\n'));
        env.put("BENCH_HEADERS", headers.toString());
        String out;
        try {
            Process wrk = builder.start();
            out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!wrk.waitFor(length.toSeconds() + 30, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
                throw new IllegalStateException("wrk failed on " + peer.name() + ": " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        double p50 = 0;
        double p99 = 0;
        for (Matcher m = PERCENTILE.matcher(out); m.find(); ) {
            double micros = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
                case "us" -> 1;
                case "ms" -> 1_000;
                default -> 1_000_000;
            };
            if (m.group(1).equals("50")) {
                p50 = micros;
            } else {
                p99 = micros;
            }
        }
        long errors = find(NON_2XX, out);
        Matcher socket = SOCKET.matcher(out);
        if (socket.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(socket.group(i));
            }
        }
        Matcher rate = RATE.matcher(out);
        if (!rate.find()) {
            throw new IllegalStateException("wrk said no rate for " + peer.name() + ": " + out);
        }
        return new Run(p50, p99, Double.parseDouble(rate.group(1)), find(REQUESTS, out), errors);
    }

    private static long find(Pattern pattern, String out) {
        Matcher m = pattern.matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Wrk[%s]", BINARY);
    }
}
