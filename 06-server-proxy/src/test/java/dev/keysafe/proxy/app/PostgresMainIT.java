package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.proxy.store.ProxyDatabase;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * PROXY_STORE=postgres as a user runs it: each instance its own JVM, the settings in its
 * environment. Two instances on one database share tokens and revocations; the login can come
 * from Secrets Manager; an unreachable database stops the start in one line.
 */
@Execution(ExecutionMode.CONCURRENT)
class PostgresMainIT {

    static final String ADMIN = "admin-" + TestProxy.randomHex(20);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static Map<String, String> postgresEnv(ProxyDatabase database, Canary key, OpenAiStub stub) {
        return Map.of("PROXY_ADMIN_TOKEN", ADMIN, "OPENAI_API_KEY", key.value(), "OPENAI_BASE_URL", stub.baseUrl(),
                "PROXY_STORE", "postgres", "PROXY_DB_URL", database.url(), "PROXY_DB_USER", database.user,
                "PROXY_DB_PASSWORD", database.password.value());
    }

    @Test
    void an_unreachable_database_stops_the_start_in_one_line_naming_the_url_and_not_the_password(@TempDir Path dir)
            throws IOException {
        ProxyDatabase database = ProxyDatabase.create();
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        ModuleLaunch launch = ModuleLaunch.of(ProxyApp.class.getName()).env("PORT", "0")
                .env("PROXY_ADMIN_TOKEN", ADMIN).env("OPENAI_API_KEY", Canary.fresh().value())
                .env("PROXY_STORE", "postgres").env("PROXY_DB_URL", database.url(closed))
                .env("PROXY_DB_USER", database.user).env("PROXY_DB_PASSWORD", database.password.value());

        RunResult run = ModuleRunner.run(launch, dir);

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.stderr().strip()).startsWith("The proxy's database cannot be reached (SQLState 08001): check "
                + "PROXY_DB_URL").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(run.stderr().strip().lines()).hasSize(1);
        assertThat(Detectors.inText(database.password, Channel.C9, "output", run.stdout() + run.stderr())).isEmpty();
        assertThat(Detectors.inCommandLine(database.password, run.commandLine())).isEmpty();
    }

    @Test
    void two_instances_on_one_database_share_tokens_and_a_revocation_on_one_holds_on_the_other() throws Exception {
        ProxyDatabase database = ProxyDatabase.create();
        Canary key = Canary.fresh();
        try (OpenAiStub stub = OpenAiStub.start().acceptKeys(key.value())) {
            CompletableFuture<Started> starting = CompletableFuture.supplyAsync(() ->
                    Started.proxy(postgresEnv(database, key, stub)));
            try (Started one = Started.proxy(postgresEnv(database, key, stub)); Started two = starting.get()) {
                HttpResponse<String> created = one.post("/admin/tokens", ADMIN,
                        "{\"name\":\"shared\",\"models\":[\"gpt-4o-mini\"],\"budget_usd\":1}");
                String token = TestProxy.json(created).path("token").asText();
                String id = TestProxy.json(created).path("id").asText();

                HttpResponse<String> onTwo = two.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));
                int revoked = two.send(HttpRequest.newBuilder(URI.create(two.base() + "/admin/tokens/" + id))
                        .header("Authorization", "Bearer " + ADMIN).DELETE().build()).statusCode();
                HttpResponse<String> onOne = one.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));

                assertThat(one.line()).contains("store postgres");
                assertThat(two.line()).contains("store postgres");
                assertThat(onTwo.statusCode()).as("issued on one, served by two").isEqualTo(200);
                assertThat(onTwo.body()).contains(OpenAiStub.ANSWER.split(" ")[0]);
                assertThat(revoked).isEqualTo(204);
                assertThat(onOne.statusCode()).as("revoked on two, refused by one").isEqualTo(401);
                assertThat(one.get("/health").body()).isEqualTo("{\"status\":\"ok\"}");
                assertThat(database.count("usage_ledger")).isEqualTo(1);
                for (Started instance : List.of(one, two)) {
                    assertThat(Detectors.inText(database.password, Channel.C7, "output", instance.output())).isEmpty();
                    assertThat(Detectors.inText(key, Channel.C7, "output", instance.output())).isEmpty();
                    assertThat(instance.output()).doesNotContain(token);
                    List<String> commandLine = instance.process().info().arguments().map(List::of).orElse(List.of());
                    assertThat(Detectors.inCommandLine(database.password, commandLine)).isEmpty();
                }
            }
        }
    }

    @Test
    void the_database_login_can_come_from_secrets_manager_through_aws_jdbc_driver() throws Exception {
        ProxyDatabase database = ProxyDatabase.create();
        Canary key = Canary.fresh();
        try (OpenAiStub stub = OpenAiStub.start().acceptKeys(key.value());
             SecretsManagerEmulator secrets = SecretsManagerEmulator.start()) {
            secrets.createSecret("team/proxy-db", "{\"username\":\"" + database.user + "\",\"password\":\""
                    + database.password.value() + "\"}");
            Map<String, String> env = new HashMap<>(secrets.clientEnv());
            env.putAll(Map.of("PROXY_ADMIN_TOKEN", ADMIN, "OPENAI_API_KEY", key.value(),
                    "OPENAI_BASE_URL", stub.baseUrl(), "PROXY_STORE", "postgres",
                    "PROXY_DB_URL", database.url().replace("jdbc:postgresql://", "jdbc-secretsmanager:postgresql://"),
                    "PROXY_DB_SECRET_ID", "team/proxy-db"));
            try (Started proxy = Started.proxy(env)) {
                HttpResponse<String> created = proxy.post("/admin/tokens", ADMIN,
                        "{\"name\":\"from-secret\",\"models\":[\"gpt-4o-mini\"],\"budget_usd\":1}");
                String token = TestProxy.json(created).path("token").asText();
                HttpResponse<String> answer = proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));

                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(database.count("client_tokens")).isEqualTo(1);
                assertThat(secrets.calls("GetSecretValue")).as("the driver read the login").isPositive();
                assertThat(Detectors.inText(database.password, Channel.C7, "output", proxy.output())).isEmpty();
            }
        }
    }

    /** The proxy as its own JVM, once it printed the line with its URL; its output kept; closing stops it. */
    private record Started(Process process, String line, String base, StringBuffer out) implements AutoCloseable {

        static Started proxy(Map<String, String> env) {
            try {
                ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                        System.getProperty("java.class.path"), ProxyApp.class.getName());
                builder.environment().keySet().removeIf(n -> n.startsWith("OPENAI_") || n.startsWith("PROXY_")
                        || n.startsWith("AWS_"));
                builder.environment().put("PORT", "0");
                builder.environment().putAll(env);
                builder.redirectErrorStream(true);
                Process process = builder.start();
                BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                Pattern listening = Pattern.compile("keysafe proxy listening on (http://127\\.0\\.0\\.1:[0-9]+)/");
                StringBuffer out = new StringBuffer();
                String line;
                while ((line = reader.readLine()) != null) {
                    out.append(line).append('\n');
                    Matcher m = listening.matcher(line);
                    if (m.find()) {
                        // Keep draining (and keeping) its output, so a chatty proxy never blocks on a full pipe.
                        Thread drain = new Thread(() -> reader.lines().forEach(l -> out.append(l).append('\n')),
                                "proxy-output");
                        drain.setDaemon(true);
                        drain.start();
                        return new Started(process, line, m.group(1), out);
                    }
                }
                process.destroy();
                throw new AssertionError("the proxy ended without printing its URL (exit " + process.waitFor()
                        + "): " + out);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        String output() {
            return out.toString();
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(base + path)).build());
        }

        HttpResponse<String> post(String path, String bearer, String body) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + bearer)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        }

        HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
