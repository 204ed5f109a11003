package dev.keysafe.workshop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.LogLevel;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.Interceptor;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

/**
 * How the kit works module 06, the server proxy: its offline settings (the stub's throwaway key as
 * the server's key, a fresh admin token, 127.0.0.1), a demo client token for a user who starts it
 * offline, and the tour's drive: the official openai-java client against the proxy with a client
 * token, as an app would hold it, plain and streamed; then a token the proxy never issued, and a
 * server key that OpenAI refuses (its 401 echoes the key masked, which must not come back out).
 */
public final class ProxyDriver implements Server {

    /** The port a user's offline proxy listens on, so its URL is the same every time. */
    static final int DEFAULT_PORT = 7070;
    /** The model the demo tokens may use (the stub's). */
    public static final String MODEL = "gpt-4o-mini";

    public static final Pattern READY = Pattern.compile("keysafe proxy listening on (http://\\S+?)/ ");
    private static final String ADMIN_TOKEN = "PROXY_ADMIN_TOKEN";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** 06 offline: the key the stub accepts as the server's key, a fresh admin token, this machine only. */
    static ModuleLaunch offline(Offline.Context run) {
        return run.launch()
                .env("OPENAI_API_KEY", run.key().value())
                .env(ADMIN_TOKEN, "kit-admin-" + randomHex(24))
                .env("HOST", "127.0.0.1")
                .env("PORT", String.valueOf(run.options().portOr(DEFAULT_PORT)));
    }

    @Override
    public Pattern readyLine() {
        return READY;
    }

    @Override
    public String welcome(Session session) throws IOException, InterruptedException {
        String url = session.url();
        String admin = session.launch().env().get(ADMIN_TOKEN);
        HttpResponse<String> issued = issueToken(url, admin, "demo");
        if (issued.statusCode() != 201) {
            throw new IOException("the proxy did not issue the demo token (HTTP " + issued.statusCode() + ")");
        }
        String token = Json.MAPPER.readTree(issued.body()).path("token").asText();
        String n = System.lineSeparator();
        ObjectNode hi = Json.object().put("model", MODEL);
        hi.putArray("messages").addObject().put("role", "user").put("content", "hi");
        // A client token and a throwaway admin token: printing them is the point of the demo. The
        // OpenAI key is never printed; it stays in the proxy.
        return "module 06 is running offline, in front of the OpenAI stub. Ctrl-C stops the proxy and the stub." + n
                + "  chat page          " + url + "/" + n
                + "  admin page         " + url + "/admin" + n
                + "  demo client token  " + token + n
                + "                     (" + MODEL + " only, $1 budget, 60 requests a minute, expires in 1 hour)" + n
                + "  admin token        " + admin + n
                + "                     (the operator's credential: type it into the admin page)" + n
                + "An app holds the client token, never the OpenAI key. Try it from another terminal:" + n
                + "  curl -s " + url + "/v1/chat/completions -H 'Authorization: Bearer " + token + "' \\" + n
                + "       -H 'Content-Type: application/json' \\" + n
                + "       -d '" + Json.write(hi) + "'" + n
                + "  PROXY_URL=" + url + " PROXY_ADMIN_TOKEN=" + admin + " ./kit run 06 token list" + n
                + "(Both tokens are throwaways: they end with this run.)";
    }

    @Override
    public Drive drive(Session session) {
        List<String> did = new ArrayList<>();
        List<String> received = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        OpenAiStub stub = session.context().stub();
        String key = session.context().key().value();
        String token;
        try {
            HttpResponse<String> issued = issueToken(session.url(), session.launch().env().get(ADMIN_TOKEN), "tour");
            received.add(issued.body());
            if (issued.statusCode() != 201) {
                problems.add("the admin API did not issue a client token (HTTP " + issued.statusCode() + ")");
                return new Drive(did, received, problems);
            }
            token = Json.MAPPER.readTree(issued.body()).path("token").asText();
            did.add("issued a client token with the admin token (" + MODEL + " only, $1 budget)");
        } catch (IOException e) {
            problems.add("the admin API could not be reached (" + e.getClass().getSimpleName() + ")");
            return new Drive(did, received, problems);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("interrupted");
            return new Drive(did, received, problems);
        }

        Recorder recorder = new Recorder();
        ChatCompletionCreateParams question = ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("Why should a browser never hold the OpenAI key?").build();
        try (Clients clients = new Clients(session.url(), token, recorder)) {
            // The official client, unchanged: the proxy's URL as base URL, the client token as "API key".
            try {
                String plain = clients.good.chat().completions().create(question).choices().stream()
                        .flatMap(choice -> choice.message().content().stream()).collect(Collectors.joining());
                did.add("openai-java, plain: " + plain);
                if (!plain.equals(OpenAiStub.ANSWER)) {
                    problems.add("the client did not get the stub's answer through the proxy");
                }
            } catch (OpenAIException e) {
                problems.add("a plain call through the proxy failed (" + failure(e) + ")");
            }
            try (StreamResponse<ChatCompletionChunk> stream = clients.good.chat().completions().createStreaming(question)) {
                List<ChatCompletionChunk> chunks = stream.stream().toList();
                String streamed = chunks.stream().flatMap(chunk -> chunk.choices().stream())
                        .flatMap(choice -> choice.delta().content().stream()).collect(Collectors.joining());
                did.add("openai-java, streamed (" + chunks.size() + " chunks): " + streamed);
                if (!streamed.equals(OpenAiStub.ANSWER)) {
                    problems.add("the client did not get the stub's answer streamed through the proxy");
                }
            } catch (OpenAIException e) {
                problems.add("a streamed call through the proxy failed (" + failure(e) + ")");
            }

            int upstreamBefore = stub.journal().size();
            try {
                clients.wrong.chat().completions().create(question);
                problems.add("a client token the proxy never issued was accepted");
            } catch (OpenAIServiceException e) {
                boolean reachedUpstream = stub.journal().size() != upstreamBefore;
                did.add("a wrong client token: " + e.statusCode() + " " + lastMessage(recorder)
                        + (reachedUpstream ? "" : " (the stub saw nothing)"));
                if (e.statusCode() != 401) {
                    problems.add("a wrong client token got " + e.statusCode() + ", not 401");
                }
                if (reachedUpstream) {
                    problems.add("a request with a wrong client token reached the upstream");
                }
            } catch (OpenAIException e) {
                problems.add("a wrong client token: " + failure(e));
            }

            // OpenAI refuses the server's key now: its 401 echoes the key masked; the client must not see it.
            stub.acceptOnly();
            try {
                clients.good.chat().completions().create(question);
                problems.add("with the server's key refused upstream, the client still got an answer");
            } catch (OpenAIServiceException e) {
                did.add("the server's key refused upstream: " + e.statusCode() + " " + lastMessage(recorder));
                if (e.statusCode() != 502) {
                    problems.add("with the server's key refused upstream it answered " + e.statusCode() + ", not 502");
                }
            } catch (OpenAIException e) {
                problems.add("with the server's key refused upstream: " + failure(e));
            } finally {
                stub.acceptKeys(key);
            }
        }
        received.addAll(recorder.bodies());
        return new Drive(did, received, problems);
    }

    /** Issues the demo client token named {@code name} through the admin API: $1 budget, 60 requests a minute. */
    private static HttpResponse<String> issueToken(String url, String admin, String name)
            throws IOException, InterruptedException {
        return issueToken(url, admin, grant(name, 1, 60));
    }

    /**
     * A client token's grant as the admin API takes it: named {@code name}, for {@link #MODEL}
     * only, with a budget in US dollars and a rate in requests a minute, for an hour.
     */
    public static ObjectNode grant(String name, int budgetUsd, int requestsPerMinute) {
        ObjectNode grant = Json.object().put("name", name);
        grant.putArray("models").add(MODEL);
        return grant.put("budget_usd", budgetUsd).put("rpm", requestsPerMinute).put("expires_in_seconds", 3600);
    }

    /** Issues a client token with {@code grant} through the admin API, as {@code TokenCommand create} would. */
    public static HttpResponse<String> issueToken(String url, String admin, ObjectNode grant)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/admin/tokens"))
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(grant)))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A failure named by its type and status only: its message could quote what the proxy sent. */
    private static String failure(OpenAIException e) {
        return e instanceof OpenAIServiceException service
                ? e.getClass().getSimpleName() + ", HTTP " + service.statusCode()
                : e.getClass().getSimpleName();
    }

    /** The proxy's own message in the last error body a client received. */
    private static String lastMessage(Recorder recorder) {
        List<String> bodies = recorder.bodies();
        if (bodies.isEmpty()) {
            return "(no body)";
        }
        try {
            return Json.MAPPER.readTree(bodies.get(bodies.size() - 1)).at("/error/message").asText("(no message)");
        } catch (IOException notJson) {
            return "(a body that is not JSON)";
        }
    }

    public static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** The two clients of the drive: one with the issued token, one with a token never issued. */
    private static final class Clients implements AutoCloseable {
        final OpenAIClient good;
        final OpenAIClient wrong;

        Clients(String url, String token, Recorder recorder) {
            good = client(url, token, recorder);
            wrong = client(url, "ksp-" + randomHex(32), recorder);
        }

        private static OpenAIClient client(String url, String token, Recorder recorder) {
            return OpenAIOkHttpClient.builder().baseUrl(url + "/v1").apiKey(token)
                    .maxRetries(0).timeout(Duration.ofSeconds(30))
                    // A developer's OPENAI_LOG must not turn on this client's debug log.
                    .logLevel(LogLevel.OFF)
                    .addInterceptor(recorder)
                    .build();
        }

        @Override
        public void close() {
            good.close();
            wrong.close();
        }
    }

    /**
     * Keeps a copy of every response body the clients read, byte for byte as it arrived (a
     * stream included), so the tour can search what a client received, not what the SDK parsed.
     */
    static final class Recorder implements Interceptor {
        private final List<ByteArrayOutputStream> bodies = new ArrayList<>();

        @Override
        public Response intercept(Chain chain) throws IOException {
            Response response = chain.proceed(chain.request());
            ResponseBody body = response.body();
            if (body == null) {
                return response;
            }
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            synchronized (bodies) {
                bodies.add(copy);
            }
            BufferedSource tee = Okio.buffer(new ForwardingSource(body.source()) {
                @Override
                public long read(Buffer sink, long byteCount) throws IOException {
                    long read = super.read(sink, byteCount);
                    if (read > 0) {
                        synchronized (copy) {
                            sink.copyTo(copy, sink.size() - read, read);
                        }
                    }
                    return read;
                }
            });
            return response.newBuilder().body(ResponseBody.create(tee, body.contentType(), body.contentLength())).build();
        }

        List<String> bodies() {
            synchronized (bodies) {
                return bodies.stream().map(copy -> {
                    synchronized (copy) {
                        return copy.toString(StandardCharsets.UTF_8);
                    }
                }).toList();
            }
        }
    }
}
