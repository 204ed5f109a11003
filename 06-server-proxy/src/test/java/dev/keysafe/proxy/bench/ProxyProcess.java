package dev.keysafe.proxy.bench;

import dev.keysafe.common.Json;
import dev.keysafe.proxy.app.TestProxy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * keysafe's full server ({@code ProxyApp}, as {@code ./kit run 06} starts it) in a JVM of its own, with
 * the JVM's default JIT and collector (the test JVM's are tuned for short runs), in front of the fast
 * upstream; and a client token for the benchmark, issued through the admin API.
 */
final class ProxyProcess implements AutoCloseable {

    private final Process process;
    private final String base;
    private final String token;

    private ProxyProcess(Process process, String base, String token) {
        this.process = process;
        this.base = base;
        this.token = token;
    }

    /**
     * Starts the proxy with the upstream key {@code key} and the settings in {@code env} (the store's,
     * say); {@code jvmOptions} go before the class path (-Dbench.jvm, e.g. a flight recording).
     */
    static ProxyProcess start(String name, Path folder, String upstreamBaseUrl, String key, Map<String, String> env,
                              List<String> jvmOptions) throws Exception {
        int port = Processes.freePort();
        String admin = "admin-" + TestProxy.randomHex(20);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.keysafe.proxy.app.ProxyApp"));
        Path output = folder.resolve(name.replaceAll("[^A-Za-z0-9]+", "-") + ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        Map<String, String> all = builder.environment();
        all.putAll(env);
        all.put("OPENAI_API_KEY", key);
        all.put("OPENAI_BASE_URL", upstreamBaseUrl);
        all.put("PROXY_ADMIN_TOKEN", admin);
        all.put("HOST", "127.0.0.1");
        all.put("PORT", String.valueOf(port));
        Process process = builder.start();
        if (!Processes.awaitListening(port, Duration.ofSeconds(60), process)) {
            Processes.stop(process);
            throw new IllegalStateException(name + " did not start: " + Processes.tail(output));
        }
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> issued = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                        + "/admin/tokens")).header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\",\"models\":[\"gpt-4o-mini\"],"
                        + "\"budget_usd\":1000000,\"rpm\":1000000,\"max_tokens\":64,\"expires_in_seconds\":86400}"))
                .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (issued.statusCode() != 201) {
            Processes.stop(process);
            throw new IllegalStateException(name + " issued no token: HTTP " + issued.statusCode());
        }
        return new ProxyProcess(process, base, Json.read(issued.body()).path("token").asText());
    }

    Peer peer(String name) {
        return new Peer(name, base + "/v1/chat/completions", token, Map.of());
    }

    /** A JVM option list from -Dbench.jvm (spaces between options). */
    static List<String> jvmOptions() {
        String asked = System.getProperty("bench.jvm", "").strip();
        return asked.isEmpty() ? List.of() : List.of(asked.split("\\s+"));
    }

    /** PROXY_STORE=postgres settings for {@code url}, {@code user} and {@code password}. */
    static Map<String, String> postgres(String url, String user, String password) {
        Map<String, String> env = new HashMap<>();
        env.put("PROXY_STORE", "postgres");
        env.put("PROXY_DB_URL", url);
        env.put("PROXY_DB_USER", user);
        env.put("PROXY_DB_PASSWORD", password);
        return env;
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
