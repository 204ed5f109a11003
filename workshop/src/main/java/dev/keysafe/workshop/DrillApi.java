package dev.keysafe.workshop;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The breach drill's stand-in for an OpenAI account: an HTTP API on 127.0.0.1 that accepts the
 * keys currently issued, answers 401 to any other, and counts requests per key and per client
 * (the {@code X-Client} header), as a usage dashboard would. Keys can be issued and revoked at any
 * moment without a request ever seeing a half-updated state.
 */
final class DrillApi implements AutoCloseable {

    private final HttpServer server;
    private final Set<String> validKeys = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> usage = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> rejected = new ConcurrentHashMap<>();

    private DrillApi(HttpServer server) {
        this.server = server;
    }

    static DrillApi start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        DrillApi api = new DrillApi(server);
        server.createContext("/v1/", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
            }
            String auth = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
            String key = auth.startsWith("Bearer ") ? auth.substring(7) : "";
            String client = String.valueOf(exchange.getRequestHeaders().getFirst("X-Client"));
            boolean ok = api.validKeys.contains(key);
            (ok ? api.usage : api.rejected).computeIfAbsent(fingerprint(key) + " " + client, k -> new AtomicInteger())
                    .incrementAndGet();
            byte[] answer = (ok ? "{\"answer\":\"ok\"}" : "{\"error\":{\"code\":\"invalid_api_key\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(ok ? 200 : 401, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "drill-api");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return api;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void issue(String key) {
        validKeys.add(key);
    }

    void revoke(String key) {
        validKeys.remove(key);
    }

    /** Accepted requests by "fingerprint client". */
    Map<String, Integer> usage() {
        return snapshot(usage);
    }

    /** Refused requests by "fingerprint client". */
    Map<String, Integer> rejected() {
        return snapshot(rejected);
    }

    private static Map<String, Integer> snapshot(Map<String, AtomicInteger> counts) {
        Map<String, Integer> copy = new java.util.TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    static String fingerprint(String key) {
        return key.length() < 8 ? "(none)" : "..." + key.substring(key.length() - 4);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
