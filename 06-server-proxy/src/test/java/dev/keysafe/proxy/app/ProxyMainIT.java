package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The proxy as a user runs it, its own JVM: wrong settings stop it at once; right ones serve. */
@Execution(ExecutionMode.CONCURRENT)
class ProxyMainIT {

    static final Canary KEY = Canary.fresh();
    static final String ADMIN = "admin-" + TestProxy.randomHex(20);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static RunResult runMain(Path dir, String... env) {
        ModuleLaunch launch = ModuleLaunch.of(ProxyApp.class.getName()).env("PORT", "0");
        for (int i = 0; i < env.length; i += 2) {
            launch.env(env[i], env[i + 1]);
        }
        return ModuleRunner.run(launch, dir);
    }

    private static void assertFailedCleanly(RunResult run, String firstWords) {
        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.stderr()).startsWith(firstWords).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(Detectors.inText(KEY, dev.keysafe.testkit.leaks.Channel.C9, "output", run.stdout() + run.stderr()))
                .isEmpty();
    }

    @Test
    void missing_admin_token_fails_fast_naming_the_variable(@TempDir Path dir) {
        assertFailedCleanly(runMain(dir, "OPENAI_API_KEY", KEY.value()), "PROXY_ADMIN_TOKEN is not set");
    }

    @Test
    void missing_key_fails_fast_naming_the_variable(@TempDir Path dir) {
        assertFailedCleanly(runMain(dir, "PROXY_ADMIN_TOKEN", ADMIN), "OPENAI_API_KEY is not set");
    }

    @Test
    void plain_http_upstream_off_this_machine_is_refused(@TempDir Path dir) {
        assertFailedCleanly(runMain(dir, "PROXY_ADMIN_TOKEN", ADMIN, "OPENAI_API_KEY", KEY.value(),
                "OPENAI_BASE_URL", "http://api.example.com/v1"), "OPENAI_BASE_URL must use https://");
    }

    @Test
    void openai_api_key_and_openai_secret_id_together_stop_the_start_in_one_line_naming_both(@TempDir Path dir) {
        RunResult run = runMain(dir, "PROXY_ADMIN_TOKEN", ADMIN, "OPENAI_API_KEY", KEY.value(),
                "OPENAI_SECRET_ID", "keysafe/openai-api-key");

        assertFailedCleanly(run, "OPENAI_API_KEY and OPENAI_SECRET_ID are both set. Keep one source of the key");
        assertThat(run.stderr().strip().lines()).hasSize(1);
    }

    @Test
    void unknown_secret_stops_the_start_in_one_line_naming_the_secret(@TempDir Path dir) {
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start()) {
            ModuleLaunch launch = ModuleLaunch.of(ProxyApp.class.getName()).env("PORT", "0")
                    .env("PROXY_ADMIN_TOKEN", ADMIN).env("OPENAI_SECRET_ID", "team/no-such-secret");
            secrets.clientEnv().forEach(launch::env);

            RunResult run = ModuleRunner.run(launch, dir);

            assertFailedCleanly(run, "Secrets Manager has no secret team/no-such-secret. Create it, or set "
                    + "OPENAI_SECRET_ID to its name or ARN");
            assertThat(run.stderr().strip().lines()).hasSize(1);
            assertThat(secrets.calls("DescribeSecret")).as("it asked Secrets Manager").isPositive();
        }
    }

    @Test
    void main_prints_its_url_serves_and_keeps_the_key_off_its_command_line() throws Exception {
        try (OpenAiStub stub = OpenAiStub.start().acceptKeys(KEY.value());
             Started proxy = Started.proxy(Map.of("PROXY_ADMIN_TOKEN", ADMIN, "OPENAI_API_KEY", KEY.value(),
                     "OPENAI_BASE_URL", stub.baseUrl()))) {
            assertThat(proxy.line()).contains("key " + KEY.fingerprint()).doesNotContain(KEY.value());
            HttpResponse<String> health = proxy.get("/health");

            assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
            List<String> commandLine = proxy.process().info().arguments().map(List::of).orElse(List.of());
            assertThat(Detectors.inCommandLine(KEY, commandLine)).isEmpty();
        }
    }

    @Test
    void main_with_openai_secret_id_reads_the_key_from_secrets_manager_and_serves() throws Exception {
        Canary secretKey = Canary.fresh();
        try (OpenAiStub stub = OpenAiStub.start().acceptKeys(secretKey.value());
             SecretsManagerEmulator secrets = SecretsManagerEmulator.start()) {
            secrets.createSecret("team/openai", secretKey.value());
            Map<String, String> env = new HashMap<>(secrets.clientEnv());
            env.putAll(Map.of("PROXY_ADMIN_TOKEN", ADMIN, "OPENAI_SECRET_ID", "team/openai",
                    "OPENAI_BASE_URL", stub.baseUrl()));
            try (Started proxy = Started.proxy(env)) {
                HttpResponse<String> created = proxy.post("/admin/tokens", ADMIN,
                        "{\"name\":\"main\",\"models\":[\"gpt-4o-mini\"],\"budget_usd\":1}");
                String token = TestProxy.json(created).path("token").asText();
                HttpResponse<String> answer = proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));

                assertThat(proxy.line()).contains("key " + secretKey.fingerprint()).doesNotContain(secretKey.value());
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).contains(OpenAiStub.ANSWER.split(" ")[0]);
                assertThat(Detectors.inText(secretKey, dev.keysafe.testkit.leaks.Channel.C1, "response",
                        answer.headers().map() + answer.body())).isEmpty();
                assertThat(TestProxy.keysSentToChat(stub, Map.of("the secret's key", secretKey)))
                        .containsExactly("the secret's key");
                assertThat(secrets.calls("GetSecretValue")).isEqualTo(1);
            }
        }
    }

    /** The proxy as its own JVM, once it printed the line with its URL; closing stops it. */
    private record Started(Process process, String line, String base) implements AutoCloseable {

        static Started proxy(Map<String, String> env) throws IOException, InterruptedException {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ProxyApp.class.getName());
            builder.environment().keySet().removeIf(n -> n.startsWith("OPENAI_") || n.startsWith("PROXY_")
                    || n.startsWith("AWS_"));
            builder.environment().put("PORT", "0");
            builder.environment().putAll(env);
            builder.redirectErrorStream(true);
            Process process = builder.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Pattern listening = Pattern.compile("keysafe proxy listening on (http://127\\.0\\.0\\.1:[0-9]+)/");
            String line;
            while ((line = out.readLine()) != null) {
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    // Keep draining its output, so a chatty proxy never blocks on a full pipe.
                    Thread drain = new Thread(() -> out.lines().forEach(ignored -> { }), "proxy-output");
                    drain.setDaemon(true);
                    drain.start();
                    return new Started(process, line, m.group(1));
                }
            }
            process.destroy();
            throw new AssertionError("the proxy ended without printing its URL (exit " + process.waitFor() + ")");
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, String bearer, String body) throws IOException, InterruptedException {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + bearer)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
