package dev.keysafe.testkit.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for a team's app, run by the tests of the public API: it calls OpenAI's chat route
 * with OPENAI_API_KEY, then does what its argument says, right or wrong.
 */
public final class SmallApp {

    private SmallApp() {
    }

    public static void main(String[] args) throws Exception {
        String key = System.getenv("OPENAI_API_KEY");
        String mistake = args.length > 0 ? args[0] : "none";
        if (mistake.startsWith("serve")) {
            serve(key, mistake.equals("serve-leaky"));
            return;
        }
        if (!mistake.equals("no-call")) {
            System.out.println("status " + ask(key));
        }
        switch (mistake) {
            case "stderr" -> {
                System.err.println("starting");
                System.err.println("starting");
                System.err.println("using key " + key);
            }
            case "file" -> Files.writeString(Path.of("app-cache.txt"), "cached=" + key + "\n");
            default -> System.err.println("done");
        }
    }

    /** A small server: each GET /ask calls OpenAI once and answers "ok", or the key when leaky. */
    private static void serve(String key, boolean leaky) throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ask", exchange -> {
            try {
                byte[] body = (leaky ? "used " + key + " " + ask(key) : "ok " + ask(key)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (Exception e) {
                exchange.sendResponseHeaders(500, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        System.out.println("listening on http://127.0.0.1:" + server.getAddress().getPort());
        new java.util.concurrent.CountDownLatch(1).await();
    }

    private static int ask(String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(System.getenv("OPENAI_BASE_URL") + "/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[]}")).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
