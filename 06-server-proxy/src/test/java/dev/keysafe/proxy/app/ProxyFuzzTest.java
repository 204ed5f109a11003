package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.Sha256;
import dev.keysafe.proxy.LogCapture;
import dev.keysafe.proxy.app.BadRequests.Caller;
import dev.keysafe.proxy.app.BadRequests.Credentials;
import dev.keysafe.proxy.app.BadRequests.Expect;
import dev.keysafe.proxy.app.BadRequests.Probe;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The proxy under a generated stream of bad requests ({@link BadRequests}): at least 1,000 in
 * {@code ./mvnw verify} ({@code -Dfuzz.requests=N} for more, {@code -Dfuzz.seed=S} to replay a
 * run), sent byte for byte over sockets by several clients at once, valid requests mixed in.
 * Every answer is checked as it comes back: no 5xx (the upstream, the testkit's stub, answers
 * normally, so no 5xx is the upstream's), no hang, refusals in OpenAI's error shape (or Jetty's
 * bare status for a request that is not HTTP), no stack trace or server internals, and neither the
 * upstream key nor any client, session or admin token in any encoding the canary detectors know.
 * After the run: the upstream saw only the server's key, every upstream call is in the ledger,
 * the logs (every logger at TRACE) hold no key and no token, and the proxy still answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyFuzzTest {

    static final Canary KEY = Canary.fresh();
    static final int REQUESTS = Integer.getInteger("fuzz.requests", 1_000);
    static final long SEED = Long.getLong("fuzz.seed", new SecureRandom().nextLong());
    /** Clients sending at once: enough to interleave requests, few enough for two cores. */
    static final int CLIENTS = 4;
    /** Requests between two searches of the captured logs. */
    static final int BATCH = 1_000;
    /** Longer than any answer should take on loopback; an answer slower than this is a hang. */
    static final Duration HANG = Duration.ofSeconds(15);
    /** Marks of a stack trace or of the server's internals, searched case-insensitively. */
    static final List<String> INTERNALS = List.of("exception", "at dev.", "at org.", "at java.", ".java:",
            "caused by", "jetty", "javalin");

    /** One probe's answer as it came off the socket. */
    record Outcome(Probe probe, int status, Map<String, List<String>> headers, String body, String raw,
                   boolean hung, long millis) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    LogCapture logs;
    OpenAiStub stub;
    TestProxy proxy;
    Credentials credentials;
    List<Canary> tokens;
    List<Outcome> outcomes;
    List<OpenAiStub.JournalEntry> journal;
    long ledgerRequests;
    long runMillis;
    long scanMillis;
    final List<String> logFindings = new ArrayList<>();
    long proxyLogLines;
    boolean proxyLogsAudited;

    @BeforeAll
    void fuzz() throws Exception {
        logs = LogCapture.everythingAtTrace();
        stub = OpenAiStub.start();
        stub.acceptKeys(KEY.value());
        proxy = TestProxy.start(stub.baseUrl(), () -> dev.keysafe.common.ApiKey.of(KEY.value()), Map.of(),
                config -> config.withCorsOrigin(BadRequests.CORS_ORIGIN).withUpstreamTimeout(Duration.ofSeconds(10)));
        String client = proxy.issue("fuzz", List.of("gpt-4o-mini", "gpt-4o"), "100000", 1_000_000, 64);
        HttpResponse<String> session = proxy.post("/session", null, "");
        assertThat(session.statusCode()).as("session token for the fuzz").isEqualTo(201);
        credentials = new Credentials(client, TestProxy.json(session).path("token").asText(), proxy.adminToken,
                Canary.fresh().value());
        tokens = List.of(Canary.of(credentials.clientToken()), Canary.of(credentials.sessionToken()),
                Canary.of(credentials.adminToken()));

        BadRequests generator = new BadRequests(SEED, credentials);
        outcomes = new ArrayList<>();
        // In batches, so the captured logs (a few hundred KB a request at TRACE) are searched and
        // dropped as the run goes, and a long run holds neither all its requests nor all its logs.
        for (int sent = 0; sent < REQUESTS; sent += BATCH) {
            long start = System.nanoTime();
            try {
                outcomes.addAll(sendAll(generator.take(Math.min(BATCH, REQUESTS - sent))));
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("the fuzz client failed; replay with -Dfuzz.seed=" + SEED, e.getCause());
            }
            runMillis += (System.nanoTime() - start) / 1_000_000;
            start = System.nanoTime();
            searchAndDropLogs();
            scanMillis += (System.nanoTime() - start) / 1_000_000;
        }
        journal = stub.journal();
        ledgerRequests = proxy.store.tokens().stream().mapToLong(t -> proxy.store.usage(t.id()).requests()).sum();
        System.out.println(summary());
    }

    @AfterAll
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (stub != null) {
            stub.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    @Test
    void the_run_sent_every_request_and_mixed_valid_ones_in() {
        assertThat(outcomes).hasSize(REQUESTS);
        assertThat(REQUESTS).isGreaterThanOrEqualTo(1_000);
        assertThat(outcomes).filteredOn(o -> o.probe().expect() == Expect.ANSWERED).hasSizeGreaterThan(REQUESTS / 10);
        assertThat(outcomes.stream().map(o -> o.probe().family()).distinct().count()).as("families").isEqualTo(8);
    }

    @Test
    void no_request_gets_a_5xx_or_hangs() {
        assertClean("5xx or hang", o -> {
            if (o.hung()) {
                return "no answer within " + HANG.toSeconds() + " s";
            }
            if (o.probe().expect() == Expect.NOT_HTTP) {
                // Not HTTP/1.x at all: RFC 9110 answers an unsupported version with 505, and a
                // server may close on bytes it cannot read as a request.
                return o.status() < 0 || o.status() == 505 || o.status() < 500 ? null : "HTTP " + o.status();
            }
            if (o.status() >= 500) {
                return "HTTP " + o.status();
            }
            if (o.status() < 0) {
                return "closed without an answer (" + o.raw().length() + " bytes)";
            }
            return null;
        });
    }

    @Test
    void every_refusal_is_an_openai_shaped_error_or_jettys_bare_status() {
        assertClean("error shape", ProxyFuzzTest::shapeProblem);
    }

    @Test
    void no_answer_shows_a_stack_trace_or_the_servers_internals() {
        assertClean("internals", o -> {
            String raw = o.raw().toLowerCase(Locale.ROOT);
            List<String> found = INTERNALS.stream().filter(raw::contains).toList();
            return found.isEmpty() ? null : "answer contains " + found;
        });
    }

    @Test
    void no_answer_holds_the_upstream_key_or_any_token_in_any_encoding() {
        assertClean("leak", o -> {
            List<String> found = new ArrayList<>();
            Detectors.inText(KEY, Channel.C1, "answer", o.raw() + "\n" + o.body())
                    .forEach(f -> found.add("upstream key (" + f + ")"));
            String[] names = {"client token", "session token", "admin token"};
            for (int i = 0; i < tokens.size(); i++) {
                for (String form : tokens.get(i).formsIn(o.raw() + "\n" + o.body())) {
                    found.add(names[i] + " (" + form + ")");
                }
            }
            return found.isEmpty() ? null : "answer holds " + found;
        });
    }

    @Test
    void valid_requests_mixed_into_the_fuzz_are_answered_with_200() {
        assertClean("valid request", o -> o.probe().expect() != Expect.ANSWERED ? null
                : o.status() != 200 ? "HTTP " + o.status() + " instead of 200"
                : !o.body().contains(o.probe().mustContain()) ? "200 without the expected answer" : null);
    }

    @Test
    void client_and_session_tokens_never_open_an_admin_route() {
        assertClean("admin route", o -> {
            if (o.probe().expect() == Expect.REFUSED_401 && o.status() != 401) {
                return "HTTP " + o.status() + " instead of 401";
            }
            if (o.probe().caller() == Caller.ADMIN || o.status() < 200 || o.status() > 299) {
                return null;
            }
            // As JSON keys and values: the dashboard's script names a "fingerprint" column too.
            if (o.body().contains("\"fingerprint\":") || o.body().contains("\"reloaded\"")) {
                return "admin data in a " + o.status() + " answer to a non-admin caller";
            }
            if (o.status() == 204 && o.header("Access-Control-Allow-Methods") == null) {
                return "204 (a revocation?) for a non-admin caller";
            }
            return null;
        });
        assertThat(proxy.store.tokenByHash(Sha256.hex(credentials.clientToken())))
                .hasValueSatisfying(token -> assertThat(token.revoked()).isFalse());
    }

    @Test
    void cors_is_granted_to_the_configured_origin_only() {
        assertClean("CORS", o -> {
            String allowed = o.header("Access-Control-Allow-Origin");
            return allowed == null || allowed.equals(BadRequests.CORS_ORIGIN) ? null
                    : "Access-Control-Allow-Origin " + BadRequests.printable(allowed);
        });
    }

    @Test
    void the_upstream_received_only_the_servers_key_and_every_call_is_in_the_ledger() {
        assertThat(journal).as("upstream calls (valid requests reached it)").isNotEmpty();
        assertThat(journal).allSatisfy(call -> {
            assertThat(call.method()).isEqualTo("POST");
            assertThat(call.path()).isIn("/v1/chat/completions", "/v1/responses");
        });
        assertThat(journal.stream().map(OpenAiStub.JournalEntry::bearer).filter(b -> !b.equals(KEY.value())).count())
                .as("upstream calls with any other credential than the server's key").isZero();
        assertThat(stub.journalElsewhere()).isEmpty();
        assertThat(stub.unmatchedRequests()).isEmpty();
        assertThat(ledgerRequests).as("ledger entries (seed %d)", SEED).isEqualTo(journal.size());
    }

    @Test
    void the_logs_at_trace_hold_no_key_and_the_proxys_own_logs_no_token() {
        assertThat(proxyLogLines).as("the proxy's own log lines captured").isPositive();
        assertThat(proxyLogsAudited).as("refused admin attempts reached the audit log").isTrue();
        assertThat(logFindings).as("seed %d", SEED).isEmpty();
    }

    @Test
    void after_the_fuzz_the_proxy_is_healthy_and_answers_a_valid_request() {
        HttpResponse<String> health = proxy.get("/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");

        HttpResponse<String> answer = proxy.post("/v1/chat/completions", credentials.clientToken(),
                TestProxy.chat("gpt-4o-mini"));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains(OpenAiStub.ANSWER);
        assertThat(proxy.store.budget(proxy.store.tokenByHash(Sha256.hex(credentials.clientToken()))
                .orElseThrow().id()).reservedNanoUsd()).as("money left reserved after the fuzz").isZero();
    }

    // ---- the oracle's pieces -------------------------------------------------------------------

    /** Statuses Jetty answers itself, before any route, to a request that is not acceptable HTTP. */
    static final Set<Integer> JETTY_STATUSES = Set.of(400, 404, 405, 408, 413, 414, 417, 426, 431);

    private static String shapeProblem(Outcome o) {
        if (o.hung() || o.status() < 400) {
            return null;
        }
        if (o.header("Content-Security-Policy") == null) {
            // Refused by Jetty before the proxy's routes ran: a bare status is all it may say.
            boolean versionRefused = o.status() == 505 && o.probe().expect() == Expect.NOT_HTTP;
            return JETTY_STATUSES.contains(o.status()) || versionRefused ? null : "Jetty answered HTTP " + o.status();
        }
        if (o.probe().head()) {
            return o.body().isEmpty() ? null : "a body in an answer to HEAD";
        }
        String type = o.header("Content-Type");
        if (type == null || !type.startsWith("application/json")) {
            return "HTTP " + o.status() + " with Content-Type " + type;
        }
        JsonNode error;
        try {
            error = TestProxy.JSON.readTree(firstBody(o)).path("error");
        } catch (IOException e) {
            return "HTTP " + o.status() + " with a body that is not JSON";
        }
        boolean shaped = error.path("message").isTextual() && !error.path("message").asText().isBlank()
                && error.path("type").isTextual() && error.path("code").isTextual();
        return shaped ? null : "HTTP " + o.status() + " body is not {\"error\":{message,type,code}}";
    }

    /** The first answer's body (a pipelined probe may get two answers). */
    private static String firstBody(Outcome o) {
        String length = o.header("Content-Length");
        if (length != null && length.matches("\\d{1,9}")) {
            byte[] bytes = o.body().getBytes(StandardCharsets.ISO_8859_1);
            return new String(bytes, 0, Math.min(bytes.length, Integer.parseInt(length)), StandardCharsets.UTF_8);
        }
        return new String(o.body().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** Fails with every outcome {@code check} finds a problem in, each with the seed to replay it. */
    private void assertClean(String what, java.util.function.Function<Outcome, String> check) {
        List<String> problems = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            String problem = check.apply(outcome);
            if (problem != null) {
                problems.add(outcome.probe() + ": " + problem);
            }
        }
        assertThat(problems).as("%s: %d problems in %d requests; replay with -Dfuzz.seed=%d -Dfuzz.requests=%d",
                what, problems.size(), outcomes.size(), SEED, REQUESTS).isEmpty();
    }

    /**
     * Searches what was logged since the last call, then drops it: the upstream key in every log
     * line (every logger at TRACE, the stub's own left out), the tokens in the proxy's own lines.
     * Stack frame lines are left out of the key search: at TRACE they are most of the text (Jetty
     * logs every closed connection with a trace), and a frame names code, never data.
     */
    private void searchAndDropLogs() {
        String all = logs.text();
        String own = logs.proxyText();
        logs.clear();
        proxyLogLines += own.lines().count();
        proxyLogsAudited |= own.contains("AUDIT");
        Detectors.inText(KEY, Channel.C7, "logs at TRACE", withoutStackFrames(all))
                .forEach(finding -> logFindings.add(finding.toString()));
        String[] names = {"client token", "session token", "admin token"};
        for (int i = 0; i < tokens.size(); i++) {
            for (String form : tokens.get(i).formsIn(own)) {
                logFindings.add(names[i] + " in the proxy's own logs (" + form + ")");
            }
        }
    }

    /** {@code text} without the lines that are stack frames ({@code \tat a.b.C.m(C.java:1)}) only. */
    static String withoutStackFrames(String text) {
        StringBuilder kept = new StringBuilder(text.length() / 2);
        for (int at = 0; at < text.length(); ) {
            int end = text.indexOf('\n', at);
            end = end < 0 ? text.length() : end + 1;
            if (!isStackFrame(text, at, end)) {
                kept.append(text, at, end);
            }
            at = end;
        }
        return kept.toString();
    }

    private static boolean isStackFrame(String text, int start, int end) {
        int last = end - 1;
        while (last > start && (text.charAt(last) == '\n' || text.charAt(last) == '\r')) {
            last--;
        }
        if (!text.startsWith("\tat ", start) || text.charAt(last) != ')') {
            return false;
        }
        for (int i = start + 4; i < last; i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '"' || c == '\'') {
                return false;
            }
        }
        return true;
    }

    private String summary() {
        Map<Integer, Long> byStatus = outcomes.stream().collect(Collectors.groupingBy(Outcome::status, TreeMap::new,
                Collectors.counting()));
        Map<String, Long> byFamily = outcomes.stream().collect(Collectors.groupingBy(o -> o.probe().family(),
                TreeMap::new, Collectors.counting()));
        long slowest = outcomes.stream().mapToLong(Outcome::millis).max().orElse(0);
        return String.format(Locale.ROOT, "fuzz: seed=%d requests=%d clients=%d sent in %d ms (slowest %d ms), "
                        + "logs searched in %d ms; by status %s (-1: closed without an answer); by family %s; "
                        + "upstream calls %d", SEED, outcomes.size(), CLIENTS, runMillis, slowest, scanMillis, byStatus,
                byFamily, journal.size());
    }

    // ---- the socket client -----------------------------------------------------------------------

    private List<Outcome> sendAll(List<Probe> probes) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Probe probe : probes) {
                futures.add(clients.submit(() -> send(probe, watchdog)));
            }
            List<Outcome> all = new ArrayList<>();
            for (Future<Outcome> future : futures) {
                all.add(future.get());
            }
            return all;
        } finally {
            clients.shutdownNow();
            watchdog.shutdownNow();
        }
    }

    /**
     * Writes the probe's bytes as they are, half-closes (so a server waiting for more body sees the
     * end instead of waiting), and reads until the server closes. A watchdog closes the socket
     * after {@link #HANG}, which also ends a write the server stopped reading.
     */
    private Outcome send(Probe probe, ScheduledExecutorService watchdog) throws IOException {
        long start = System.nanoTime();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        boolean hung = false;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.app.port()), 5_000);
            socket.setSoTimeout((int) HANG.toMillis());
            var deadline = watchdog.schedule(() -> {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }, HANG.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            try {
                OutputStream out = socket.getOutputStream();
                out.write(probe.bytes());
                out.flush();
                socket.shutdownOutput();
            } catch (IOException refusedMidway) {
                // The server may answer and close before an oversized request is fully sent.
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16_384];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException slow) {
                hung = true;
            } catch (java.net.SocketException reset) {
                // a reset after the answer: what arrived is the answer
                hung = deadline.isDone();
            }
            deadline.cancel(false);
        }
        return parse(probe.sent(), answer.toByteArray(), hung, (System.nanoTime() - start) / 1_000_000);
    }

    private static Outcome parse(Probe probe, byte[] bytes, boolean hung, long millis) {
        String raw = new String(bytes, StandardCharsets.ISO_8859_1);
        String answer = raw;
        // Interim answers (100 Continue) come first; the final one is what counts.
        while (answer.length() > 12 && answer.startsWith("HTTP/1.") && answer.charAt(9) == '1'
                && answer.contains("\r\n\r\n")) {
            answer = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        }
        int end = answer.indexOf("\r\n\r\n");
        if (!answer.startsWith("HTTP/1.") || answer.length() < 12 || end < 0) {
            return new Outcome(probe, -1, Map.of(), "", raw, hung, millis);
        }
        int status = Integer.parseInt(answer.substring(9, 12));
        Map<String, List<String>> headers = new TreeMap<>();
        for (String line : answer.substring(0, end).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).strip());
            }
        }
        String body = answer.substring(end + 4);
        List<String> coding = headers.get("transfer-encoding");
        if (coding != null && coding.contains("chunked")) {
            body = dechunk(body);
        }
        // Bodies are kept as ISO-8859-1 (byte for byte); the key and tokens are ASCII either way.
        return new Outcome(probe, status, headers, body, raw, hung, millis);
    }

    /** A chunked body joined; what follows the last chunk (a second answer) is kept after it. */
    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", at);
            if (lineEnd < 0) {
                break;
            }
            String size = chunked.substring(at, lineEnd).split(";")[0].strip();
            if (!size.matches("[0-9a-fA-F]{1,7}")) {
                break;
            }
            int n = Integer.parseInt(size, 16);
            at = lineEnd + 2;
            if (n == 0) {
                at = Math.min(chunked.length(), at + 2);
                break;
            }
            body.append(chunked, at, Math.min(chunked.length(), at + n));
            at = Math.min(chunked.length(), at + n + 2);
        }
        return body.append(chunked.substring(Math.min(at, chunked.length()))).toString();
    }
}
