package dev.keysafe.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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

    private static RunResult runMain(Path dir, String... env) {
        ModuleLaunch launch = ModuleLaunch.of(ProxyServer.class.getName()).env("PORT", "0");
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
    void main_prints_its_url_serves_and_keeps_the_key_off_its_command_line() throws Exception {
        try (OpenAiStub stub = OpenAiStub.start().acceptKeys(KEY.value())) {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ProxyServer.class.getName());
            builder.environment().keySet().removeIf(n -> n.startsWith("OPENAI_") || n.startsWith("PROXY_"));
            builder.environment().putAll(java.util.Map.of("PORT", "0", "PROXY_ADMIN_TOKEN", ADMIN,
                    "OPENAI_API_KEY", KEY.value(), "OPENAI_BASE_URL", stub.baseUrl()));
            builder.redirectErrorStream(true);
            Process proxy = builder.start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
                String line;
                Matcher listening = null;
                while ((line = out.readLine()) != null) {
                    Matcher m = Pattern.compile("keysafe proxy listening on (http://127\\.0\\.0\\.1:[0-9]+)/").matcher(line);
                    if (m.find()) {
                        listening = m;
                        break;
                    }
                }
                assertThat(listening).as("the start-up line with the URL").isNotNull();
                assertThat(line).contains("key " + KEY.fingerprint()).doesNotContain(KEY.value());
                String base = listening.group(1);
                var http = java.net.http.HttpClient.newHttpClient();
                HttpResponse<String> health = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.ofString());

                assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
                List<String> commandLine = proxy.info().arguments().map(List::of).orElse(List.of());
                assertThat(Detectors.inCommandLine(KEY, commandLine)).isEmpty();
            } finally {
                proxy.destroy();
                proxy.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
