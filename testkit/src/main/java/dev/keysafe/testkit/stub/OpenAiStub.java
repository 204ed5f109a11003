package dev.keysafe.testkit.stub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.ConsoleNotifier;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.keysafe.common.Fingerprint;
import dev.keysafe.testkit.Canary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * An embedded stand-in for the OpenAI API on 127.0.0.1 and a free port, built on WireMock. It
 * answers chat completions (plain and streamed), responses and models with bodies shaped like
 * OpenAI's; accepts only the keys it is told are valid and answers any other with OpenAI's real
 * 401, which echoes the key masked; can be switched into a {@link Fault}; and keeps a journal of
 * the key each request carried.
 *
 * <p>It starts a second host beside it, "elsewhere", which {@link Fault#REDIRECT_TO_OTHER_HOST}
 * redirects to and which must never see a key.
 */
public final class OpenAiStub implements AutoCloseable {

    /** What the stub's model always answers. */
    public static final String ANSWER = "Keep the key on the server and out of the code.";
    /** The model the stub reports using. */
    public static final String MODEL = "gpt-4o-mini";
    /** What {@code GET /v1/models} lists. */
    public static final List<String> MODELS = List.of("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini");
    /** Usage the stub reports for every answer. */
    public static final int PROMPT_TOKENS = 12;
    public static final int COMPLETION_TOKENS = 9;

    private static final String JSON = "application/json";
    private static final String KNOWN_PATHS = "/v1/(chat/completions|responses|models)";

    private final WireMockServer server;
    private final WireMockServer elsewhere;
    // Swapped whole, never edited: a request checks its key against one consistent set.
    private final AtomicReference<Set<String>> validKeys;
    private volatile Fault fault;
    private volatile Duration slowFirstByte = Duration.ofMillis(1500);
    private volatile int retryAfterSeconds = 1;

    private OpenAiStub(WireMockServer server, WireMockServer elsewhere, AtomicReference<Set<String>> validKeys) {
        this.server = server;
        this.elsewhere = elsewhere;
        this.validKeys = validKeys;
    }

    /** Starts the stub and its second host on 127.0.0.1, each on a free port. */
    public static OpenAiStub start() {
        return start(0);
    }

    /** Starts the stub on 127.0.0.1 and {@code port} (0: any free port). */
    public static OpenAiStub start(int port) {
        WireMockServer elsewhere = new WireMockServer(config(0));
        AtomicReference<Set<String>> validKeys = new AtomicReference<>(Set.of());
        WireMockServer server = new WireMockServer(config(port).extensions(new EchoKeyTransformer(),
                new KeyCheckTransformer(validKeys::get)));
        elsewhere.start();
        server.start();
        OpenAiStub stub = new OpenAiStub(server, elsewhere, validKeys);
        stub.install();
        return stub;
    }

    private static com.github.tomakehurst.wiremock.core.WireMockConfiguration config(int port) {
        // WireMock listens on every interface unless told otherwise.
        return wireMockConfig().bindAddress("127.0.0.1").port(port).notifier(new ConsoleNotifier(false))
                .gzipDisabled(true).containerThreads(24).jettyAcceptors(1);
    }

    /** The base URL a client is given: {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/v1";
    }

    public int port() {
        return server.port();
    }

    /**
     * Accepts these keys from now on (in addition to those accepted already). Safe while requests
     * are in flight, as in a key rotation under load: the routes stay, only the accepted set changes.
     */
    public synchronized OpenAiStub acceptKeys(String... keys) {
        Set<String> more = new LinkedHashSet<>(validKeys.get());
        more.addAll(List.of(keys));
        validKeys.set(Set.copyOf(more));
        return this;
    }

    /** Accepts only these keys: every other key, including earlier ones, gets the 401. */
    public synchronized OpenAiStub acceptOnly(String... keys) {
        validKeys.set(Set.copyOf(new LinkedHashSet<>(List.of(keys))));
        return this;
    }

    /** Switches a fault on for every request until {@link #clearFault()}. */
    public synchronized OpenAiStub fault(Fault newFault) {
        this.fault = newFault;
        install();
        return this;
    }

    public synchronized OpenAiStub clearFault() {
        return fault(null);
    }

    /** How late the first byte comes under {@link Fault#SLOW_FIRST_BYTE}. */
    public synchronized OpenAiStub slowFirstByte(Duration delay) {
        this.slowFirstByte = delay;
        install();
        return this;
    }

    /** The {@code Retry-After} seconds sent with {@link Fault#RATE_LIMITED_429}. */
    public synchronized OpenAiStub retryAfterSeconds(int seconds) {
        this.retryAfterSeconds = seconds;
        install();
        return this;
    }

    /** Forgets the journal, the fault and the accepted keys. */
    public synchronized void reset() {
        validKeys.set(Set.of());
        fault = null;
        slowFirstByte = Duration.ofMillis(1500);
        retryAfterSeconds = 1;
        server.resetRequests();
        elsewhere.resetRequests();
        install();
    }

    /** Every request the stub received, oldest first, with the bearer it carried. */
    public List<JournalEntry> journal() {
        return journalOf(server);
    }

    /** Every request the second host ("elsewhere") received. */
    public List<JournalEntry> journalElsewhere() {
        return journalOf(elsewhere);
    }

    /** The bearer tokens the stub received, one per request, oldest first ("" when none). */
    public List<String> bearerTokens() {
        return journal().stream().map(JournalEntry::bearer).collect(Collectors.toList());
    }

    /**
     * The keys the stub received, by the names a test gave them, one per request, oldest first: a
     * name from {@code keys}, "(another key)" or "(no key)". An assertion on this (and its failure
     * message in a test report) says which key went upstream without printing it.
     */
    public List<String> keysSentNamed(java.util.Map<String, Canary> keys) {
        return bearerTokens().stream()
                .map(token -> keys.entrySet().stream()
                        .filter(named -> named.getValue().value().equals(token))
                        .map(java.util.Map.Entry::getKey)
                        .findFirst()
                        .orElse(token.isEmpty() ? "(no key)" : "(another key)"))
                .collect(Collectors.toList());
    }

    /** Requests that matched no route: a module calling an endpoint OpenAI does not have. */
    public List<String> unmatchedRequests() {
        return server.findAllUnmatchedRequests().stream()
                .map(r -> r.getMethod() + " " + r.getUrl()).collect(Collectors.toList());
    }

    @Override
    public void close() {
        server.stop();
        elsewhere.stop();
    }

    private static List<JournalEntry> journalOf(WireMockServer target) {
        List<ServeEvent> events = new ArrayList<>(target.getAllServeEvents());
        // WireMock lists newest first; reversing first keeps same-millisecond requests in order.
        java.util.Collections.reverse(events);
        events.sort(Comparator.comparing(e -> e.getRequest().getLoggedDate()));
        List<JournalEntry> entries = new ArrayList<>();
        for (ServeEvent event : events) {
            entries.add(new JournalEntry(event.getRequest().getMethod().getName(),
                    event.getRequest().getUrl(), EchoKeyTransformer.bearerOf(event.getRequest())));
        }
        return entries;
    }

    private synchronized void install() {
        server.resetMappings();
        elsewhere.resetMappings();
        elsewhere.stubFor(any(anyUrl()).willReturn(json(200, OpenAiResponses.chatCompletion(MODEL, ANSWER))));

        // Lowest priority: a known path asked the wrong way is checked for its key like OpenAI does;
        // an unknown path matches nothing, so OpenAiStubExtension fails the test that called it.
        server.stubFor(any(urlPathMatching(KNOWN_PATHS)).atPriority(20)
                .willReturn(slowIfAsked(json(401, OpenAiResponses.invalidKey()).withTransformers(EchoKeyTransformer.NAME))));
        server.stubFor(any(urlPathMatching(KNOWN_PATHS)).atPriority(19).withHeader("Authorization", absent())
                .willReturn(json(401, OpenAiResponses.missingKey())));

        // The key is checked as each request is answered (KeyCheckTransformer), so accepting or
        // revoking a key never touches these routes.
        route(post(urlPathEqualTo("/v1/chat/completions")), 10,
                json(200, OpenAiResponses.chatCompletion(MODEL, ANSWER)));
        route(post(urlPathEqualTo("/v1/chat/completions"))
                        .withRequestBody(matchingJsonPath("$[?(@.stream == true)]")), 9,
                sse(OpenAiResponses.chatCompletionStream(MODEL, ANSWER, false)));
        route(post(urlPathEqualTo("/v1/chat/completions"))
                        .withRequestBody(matchingJsonPath("$[?(@.stream == true)]"))
                        .withRequestBody(matchingJsonPath("$.stream_options[?(@.include_usage == true)]")),
                8, sse(OpenAiResponses.chatCompletionStream(MODEL, ANSWER, true)));
        route(post(urlPathEqualTo("/v1/responses")), 10, json(200, OpenAiResponses.response(MODEL, ANSWER)));
        route(get(urlPathEqualTo("/v1/models")), 10, json(200, OpenAiResponses.models(MODELS)));

        if (fault != null && fault != Fault.SLOW_FIRST_BYTE) {
            server.stubFor(any(anyUrl()).atPriority(1).willReturn(faultResponse(fault)));
        }
    }

    private void route(MappingBuilder request, int priority, ResponseDefinitionBuilder answer) {
        server.stubFor(request.atPriority(priority).willReturn(slowIfAsked(answer.withTransformers(KeyCheckTransformer.NAME))));
    }

    private ResponseDefinitionBuilder slowIfAsked(ResponseDefinitionBuilder answer) {
        return fault == Fault.SLOW_FIRST_BYTE ? answer.withFixedDelay((int) slowFirstByte.toMillis()) : answer;
    }

    private ResponseDefinitionBuilder faultResponse(Fault f) {
        String echo = " (key sent: %KEY% / %MASKED_KEY%)";
        return switch (f) {
            case UNAUTHORIZED_401 -> json(401, OpenAiResponses.error(
                    "Incorrect API key provided: %MASKED_KEY%." + echo, "invalid_request_error", "invalid_api_key"))
                    .withTransformers(EchoKeyTransformer.NAME);
            case FORBIDDEN_403 -> json(403, OpenAiResponses.error(
                    "You have insufficient permissions for this operation." + echo, "invalid_request_error",
                    "insufficient_permissions")).withTransformers(EchoKeyTransformer.NAME);
            case RATE_LIMITED_429 -> json(429, OpenAiResponses.error(
                    "Rate limit reached for requests." + echo, "requests", "rate_limit_exceeded"))
                    .withHeader("Retry-After", String.valueOf(retryAfterSeconds))
                    .withTransformers(EchoKeyTransformer.NAME);
            case SERVER_ERROR_500 -> json(500, OpenAiResponses.error(
                    "The server had an error while processing your request." + echo, "server_error", null))
                    .withTransformers(EchoKeyTransformer.NAME);
            case UNAVAILABLE_503 -> json(503, OpenAiResponses.error(
                    "The engine is currently overloaded, please try again later." + echo, "server_error", null))
                    .withTransformers(EchoKeyTransformer.NAME);
            case CONNECTION_RESET -> aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER);
            case MALFORMED_JSON -> aResponse().withStatus(200).withHeader("Content-Type", JSON)
                    .withBody("{\"id\":\"" + OpenAiResponses.ID + "\",\"choices\":[{\"message\":%KEY%");
            case REDIRECT_TO_OTHER_HOST -> aResponse().withStatus(302)
                    .withHeader("Location", "http://127.0.0.1:" + elsewhere.port() + "%PATH%")
                    .withTransformers(EchoKeyTransformer.NAME);
            case SLOW_FIRST_BYTE -> throw new IllegalStateException("slowness is added to the normal routes");
        };
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", JSON)
                .withHeader("x-request-id", "req_keysafe").withBody(body);
    }

    private static ResponseDefinitionBuilder sse(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream; charset=utf-8")
                .withHeader("Cache-Control", "no-cache").withBody(body).withChunkedDribbleDelay(4, 40);
    }

    /**
     * One request as the stub saw it. {@code toString()} shows the bearer's last four characters
     * only: even OpenAI's masked form is a finding, and this may end up in a test report.
     */
    public record JournalEntry(String method, String path, String bearer) {
        @Override
        public String toString() {
            String shown = bearer.isEmpty() ? "(none)" : Fingerprint.of(bearer);
            return method + " " + path + " bearer=" + shown;
        }
    }

    /**
     * Runs the stub on its own until interrupted: {@code OpenAiStub [--port N] [--key KEY]}. With
     * no key it accepts a throwaway one and prints it, so a module can be tried with no account.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        String key = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--key" -> key = args[++i];
                case "--help", "-h" -> {
                    System.out.println("usage: OpenAiStub [--port N] [--key KEY]");
                    return;
                }
                default -> {
                    System.err.println("unknown option: " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        boolean throwaway = key == null;
        if (throwaway) {
            key = Canary.fresh().value();
        }
        OpenAiStub stub = start(port).acceptKeys(key);
        Runtime.getRuntime().addShutdownHook(new Thread(stub::close));
        System.out.println("OpenAI stub listening: OPENAI_BASE_URL=" + stub.baseUrl());
        if (throwaway) {
            System.out.println("throwaway key accepted (a fake, valid only here): OPENAI_API_KEY=" + key);
        }
        new CountDownLatch(1).await();
    }
}
