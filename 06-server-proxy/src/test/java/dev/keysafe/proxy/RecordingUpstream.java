package dev.keysafe.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.Canary;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A tiny upstream on 127.0.0.1 for what the shared stub does not show: every header and body the
 * proxy sent, and whether a slow stream was cut off from the proxy's side (the proxy cancelled).
 */
public final class RecordingUpstream implements AutoCloseable {

    /** One request as received. */
    public record Received(String path, Headers headers, String body) {
        public String bearer() {
            return String.valueOf(headers.getFirst("Authorization")).replace("Bearer ", "");
        }
    }

    private final HttpServer server;
    public final List<Received> received = new CopyOnWriteArrayList<>();
    /** Counted down when a slow stream's write fails: the proxy closed the connection. */
    public final CountDownLatch streamCancelled = new CountDownLatch(1);
    public volatile int chunksWritten;
    /** When not empty, only these keys are accepted; any other gets a 401 that echoes it, as OpenAI's does. */
    public final java.util.Set<String> validKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private RecordingUpstream(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts it. {@code slowStream}: a streamed request gets a chunk every {@code every}, for up to
     * 200 chunks; otherwise every request gets a small chat completion.
     */
    public static RecordingUpstream start(boolean slowStream, Duration every) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        RecordingUpstream upstream = new RecordingUpstream(server);
        server.createContext("/", exchange -> upstream.handle(exchange, slowStream, every));
        server.start();
        return upstream;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private void handle(HttpExchange exchange, boolean slowStream, Duration every) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(exchange.getRequestURI().getPath(), exchange.getRequestHeaders(), body));
        String bearer = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")).replace("Bearer ", "");
        if (!validKeys.isEmpty() && !validKeys.contains(bearer)) {
            ObjectNode error = Json.object();
            error.putObject("error").put("message", "Incorrect API key provided: " + Canary.mask(bearer))
                    .put("code", "invalid_api_key");
            byte[] refusal = Json.write(error).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, refusal.length);
            exchange.getResponseBody().write(refusal);
            exchange.close();
            return;
        }
        if (slowStream && body.contains("\"stream\":true")) {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            try {
                for (int i = 0; i < 200; i++) {
                    ObjectNode chunk = Json.object();
                    chunk.putArray("choices").addObject().put("index", 0).putObject("delta").put("content", "w" + i + " ");
                    out.write(("data: " + Json.write(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    chunksWritten++;
                    Thread.sleep(every.toMillis());
                }
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.close();
            } catch (IOException cutOff) {
                streamCancelled.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
            return;
        }
        byte[] answer = ("{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
