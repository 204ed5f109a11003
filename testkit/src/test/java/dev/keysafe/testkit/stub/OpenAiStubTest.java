package dev.keysafe.testkit.stub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.errors.UnexpectedStatusCodeException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import dev.keysafe.testkit.Canary;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stub as the official openai-java client sees it: routes, the key check, faults, the journal. */
class OpenAiStubTest {

    @RegisterExtension
    static final OpenAiStubExtension OPENAI = new OpenAiStubExtension();

    private final Canary key = Canary.fresh();

    private OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl(OPENAI.stub().baseUrl()).apiKey(apiKey)
                .maxRetries(0).followRedirects(false).build();
    }

    private static ChatCompletionCreateParams question() {
        return ChatCompletionCreateParams.builder().model(OpenAiStub.MODEL).addUserMessage("hi").build();
    }

    @Test
    void chat_completion_parses_in_the_official_client_and_the_journal_shows_the_key() {
        OPENAI.stub().acceptKeys(key.value());

        ChatCompletion completion = client(key.value()).chat().completions().create(question());

        completion.validate();
        assertThat(completion.choices().get(0).message().content()).contains(OpenAiStub.ANSWER);
        assertThat(completion.usage().orElseThrow().totalTokens())
                .isEqualTo(OpenAiStub.PROMPT_TOKENS + OpenAiStub.COMPLETION_TOKENS);
        assertThat(OPENAI.stub().bearerTokens()).containsExactly(key.value());
    }

    @Test
    void streamed_chat_arrives_in_chunks_with_usage_when_asked() {
        OPENAI.stub().acceptKeys(key.value());
        ChatCompletionCreateParams params = question().toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();

        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client(key.value()).chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }

        String text = chunks.stream().flatMap(c -> c.choices().stream())
                .flatMap(c -> c.delta().content().stream()).collect(Collectors.joining());
        assertThat(text).isEqualTo(OpenAiStub.ANSWER);
        assertThat(chunks.size()).isGreaterThan(3);
        assertThat(chunks.get(chunks.size() - 1).usage()).isPresent();
    }

    @Test
    void streamed_chat_ends_with_done_and_has_no_usage_unless_asked() throws Exception {
        OPENAI.stub().acceptKeys(key.value());

        HttpResponse<String> raw = post("/chat/completions", key.value(),
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(raw.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(raw.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"usage\":{");
    }

    @Test
    void responses_and_models_parse_in_the_official_client() {
        OPENAI.stub().acceptKeys(key.value());
        OpenAIClient client = client(key.value());

        Response response = client.responses().create(ResponseCreateParams.builder()
                .model(OpenAiStub.MODEL).input("hi").build());
        List<String> models = client.models().list().items().stream().map(Model::id).toList();

        response.validate();
        assertThat(response.output().get(0).asMessage().content().get(0).asOutputText().text())
                .isEqualTo(OpenAiStub.ANSWER);
        assertThat(models).containsExactlyElementsOf(OpenAiStub.MODELS);
    }

    @Test
    void a_key_it_does_not_accept_gets_openais_401_echoing_the_key_masked() throws Exception {
        OPENAI.stub().acceptKeys(key.value());
        Canary wrong = Canary.fresh();

        HttpResponse<String> raw = post("/chat/completions", wrong.value(), "{}");

        assertThat(raw.statusCode()).isEqualTo(401);
        assertThat(raw.body()).contains("Incorrect API key provided: " + wrong.maskedForm())
                .contains("\"code\":\"invalid_api_key\"").doesNotContain(wrong.value());
        assertThat(wrong.formsIn(raw.body())).containsExactly("masked (OpenAI 401 echo)");
        assertThatThrownBy(() -> client(wrong.value()).chat().completions().create(question()))
                .isInstanceOf(UnauthorizedException.class);
        assertThat(OPENAI.stub().bearerTokens()).containsOnly(wrong.value());
    }

    @Test
    void each_error_fault_answers_with_its_status_and_a_body_echoing_the_key() {
        OPENAI.stub().acceptKeys(key.value());
        record Case(Fault fault, Class<? extends Exception> thrown) {
        }
        for (Case c : List.of(new Case(Fault.UNAUTHORIZED_401, UnauthorizedException.class),
                new Case(Fault.FORBIDDEN_403, PermissionDeniedException.class),
                new Case(Fault.RATE_LIMITED_429, RateLimitException.class),
                new Case(Fault.SERVER_ERROR_500, InternalServerException.class),
                new Case(Fault.UNAVAILABLE_503, InternalServerException.class))) {
            OPENAI.stub().fault(c.fault());

            assertThatThrownBy(() -> client(key.value()).chat().completions().create(question()))
                    .as(c.fault().name()).isInstanceOf(c.thrown())
                    .satisfies(e -> assertThat(key.formsIn(e.getMessage())).contains("plain"));
        }
    }

    @Test
    void rate_limit_fault_sends_retry_after() throws Exception {
        OPENAI.stub().acceptKeys(key.value()).fault(Fault.RATE_LIMITED_429).retryAfterSeconds(7);

        HttpResponse<String> raw = post("/chat/completions", key.value(), "{}");

        assertThat(raw.statusCode()).isEqualTo(429);
        assertThat(raw.headers().firstValue("Retry-After")).contains("7");
    }

    @Test
    void transport_faults_reach_the_client_as_io_and_data_errors() {
        OPENAI.stub().acceptKeys(key.value()).fault(Fault.CONNECTION_RESET);
        assertThatThrownBy(() -> client(key.value()).chat().completions().create(question()))
                .isInstanceOf(OpenAIIoException.class);

        OPENAI.stub().fault(Fault.MALFORMED_JSON);
        assertThatThrownBy(() -> client(key.value()).chat().completions().create(question()))
                .isInstanceOf(OpenAIInvalidDataException.class);
    }

    @Test
    void slow_first_byte_delays_the_answer_but_still_answers() {
        OPENAI.stub().acceptKeys(key.value()).slowFirstByte(Duration.ofMillis(400)).fault(Fault.SLOW_FIRST_BYTE);

        long start = System.nanoTime();
        ChatCompletion completion = client(key.value()).chat().completions().create(question());

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(completion.choices().get(0).message().content()).contains(OpenAiStub.ANSWER);
    }

    @Test
    void redirect_points_to_the_second_host_which_records_what_it_receives() throws Exception {
        OPENAI.stub().acceptKeys(key.value()).fault(Fault.REDIRECT_TO_OTHER_HOST);

        HttpResponse<String> raw = post("/chat/completions", key.value(), "{}");
        String location = raw.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> followed = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(location)).header("Authorization", "Bearer " + key.value()).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(raw.statusCode()).isEqualTo(302);
        assertThat(location).startsWith("http://127.0.0.1:").endsWith("/v1/chat/completions")
                .doesNotContain(":" + OPENAI.stub().port() + "/");
        assertThat(followed.statusCode()).isEqualTo(200);
        assertThat(OPENAI.stub().journalElsewhere()).singleElement()
                .satisfies(e -> assertThat(e.bearer()).isEqualTo(key.value()));
    }

    @Test
    void the_official_client_with_redirects_off_reports_the_redirect_and_sends_nothing_elsewhere() {
        OPENAI.stub().acceptKeys(key.value()).fault(Fault.REDIRECT_TO_OTHER_HOST);

        assertThatThrownBy(() -> client(key.value()).chat().completions().create(question()))
                .isInstanceOf(UnexpectedStatusCodeException.class);
        assertThat(OPENAI.stub().journalElsewhere()).isEmpty();
    }

    @Test
    void journal_entries_print_only_the_bearers_fingerprint() {
        OPENAI.stub().acceptKeys(key.value());
        client(key.value()).chat().completions().create(question());

        String printed = OPENAI.stub().journal().toString();

        assertThat(printed).contains("POST /v1/chat/completions").contains(key.fingerprint());
        assertThat(key.formsIn(printed)).isEmpty();
    }

    @Test
    void accepting_a_key_while_requests_are_in_flight_never_fails_one() throws Exception {
        OPENAI.stub().acceptKeys(key.value());
        Canary next = Canary.fresh();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var calls = new ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 40; i++) {
                calls.add(pool.submit(() -> post("/chat/completions", key.value(), "{}").statusCode()));
                if (i == 20) {
                    OPENAI.stub().acceptKeys(next.value());
                }
            }
            for (var call : calls) {
                assertThat(call.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        OPENAI.stub().acceptOnly(next.value());
        assertThat(post("/chat/completions", key.value(), "{}").statusCode()).isEqualTo(401);
        assertThat(post("/chat/completions", next.value(), "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void an_unknown_path_matches_no_route() throws Exception {
        OPENAI.stub().acceptKeys(key.value());

        assertThat(post("/embeddings-typo", key.value(), "{}").statusCode()).isEqualTo(404);
        assertThat(OPENAI.stub().unmatchedRequests()).containsExactly("POST /v1/embeddings-typo");
        OPENAI.stub().reset();
    }

    @Test
    void binds_to_loopback_only() {
        assertThat(OPENAI.stub().baseUrl()).startsWith("http://127.0.0.1:");
    }

    private HttpResponse<String> post(String path, String bearer, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(OPENAI.stub().baseUrl() + path))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
    }
}
