package dev.keysafe.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client for the HTTP server your test starts (your app's API, a proxy), which keeps every
 * answer the server gave, status, headers and body, for the leak check: what a server answers its
 * clients must never hold the key. Only 127.0.0.1 and localhost may be called.
 */
public final class Answers {

    /** One answer your server gave: to which request, with what status, headers and body. */
    public record Answer(String method, String path, int status, Map<String, List<String>> headers, String body) {
        @Override
        public String toString() {
            return "Answer[" + method + " " + path + " -> " + status + ", " + body.length() + " chars]";
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final List<Answer> answers = new CopyOnWriteArrayList<>();

    Answers() {
    }

    /** {@code GET url}, with optional header name/value pairs. */
    public HttpResponse<String> get(String url, String... headers) {
        return send(request(url, headers).GET().build());
    }

    /** {@code POST url} with a JSON body, with optional header name/value pairs. */
    public HttpResponse<String> postJson(String url, String json, String... headers) {
        return send(request(url, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** Any request you build; its answer is kept like the others. */
    public HttpResponse<String> send(HttpRequest request) {
        String host = request.uri().getHost();
        if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
            throw new IllegalArgumentException("Answers calls only a server on this machine (127.0.0.1 or localhost)");
        }
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            answers.add(new Answer(request.method(), request.uri().getRawPath(), response.statusCode(),
                    response.headers().map(), response.body()));
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException("the server at " + request.uri().getHost() + ":" + request.uri().getPort()
                    + " could not be reached", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Records an answer received some other way (a streaming client, a browser), so it is checked too. */
    public void record(Answer answer) {
        answers.add(answer);
    }

    /** Every answer so far, oldest first. */
    public List<Answer> all() {
        return new ArrayList<>(answers);
    }

    private static HttpRequest.Builder request(String url, String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers come in name/value pairs");
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }
}
