package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.KeysafeTest;
import dev.keysafe.testkit.RunningApp;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The proxy as a user runs it, its own JVM started from the packaged jar, through the testkit's
 * public API: wrong settings stop it at once; right ones serve, and the one leak check follows
 * the key through its output, its command line, what it answered and what went upstream.
 */
@KeysafeTest
@Execution(ExecutionMode.CONCURRENT)
class ProxyMainIT {

    /** This module's folder: the proxy starts from the jar the build packaged. */
    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final String READY = "keysafe proxy listening on (http://127\\.0\\.0\\.1:[0-9]+)/.*";
    static final String ADMIN = "admin-" + TestProxy.randomHex(20);

    /** The full server, on any free port, with its own logging (INFO), as `./kit run 06` starts it. */
    private static AppLaunch proxy(Keysafe keysafe) {
        return keysafe.app(ProxyApp.class.getName()).packagedIn(MODULE).withOwnLogging().env("PORT", "0");
    }

    private static void assertFailedCleanly(Keysafe keysafe, AppRun run, String firstWords) {
        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCode.CONFIG);
        assertThat(run.stderr()).startsWith(firstWords).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(keysafe.leaks()).as("places the key leaked to").isEmpty();
        assertThat(keysafe.upstreamRequests()).as("nothing went upstream").isEmpty();
    }

    @Test
    void missing_admin_token_fails_fast_naming_the_variable(Keysafe keysafe) {
        AppRun run = proxy(keysafe).withOpenAiKeyIn("OPENAI_API_KEY").run();

        assertFailedCleanly(keysafe, run, "PROXY_ADMIN_TOKEN is not set");
    }

    @Test
    void missing_key_fails_fast_naming_the_variable(Keysafe keysafe) {
        assertFailedCleanly(keysafe, proxy(keysafe).env("PROXY_ADMIN_TOKEN", ADMIN).run(), "OPENAI_API_KEY is not set");
    }

    @Test
    void plain_http_upstream_off_this_machine_is_refused(Keysafe keysafe) {
        AppRun run = proxy(keysafe).env("PROXY_ADMIN_TOKEN", ADMIN).withOpenAiKeyIn("OPENAI_API_KEY")
                .env("OPENAI_BASE_URL", "http://api.example.com/v1").run();

        assertFailedCleanly(keysafe, run, "OPENAI_BASE_URL must use https://");
    }

    @Test
    void openai_api_key_and_openai_secret_id_together_stop_the_start_in_one_line_naming_both(Keysafe keysafe) {
        AppRun run = proxy(keysafe).env("PROXY_ADMIN_TOKEN", ADMIN).withOpenAiKeyIn("OPENAI_API_KEY")
                .env("OPENAI_SECRET_ID", "keysafe/openai-api-key").run();

        assertFailedCleanly(keysafe, run, "OPENAI_API_KEY and OPENAI_SECRET_ID are both set. Keep one source of the key");
        assertThat(run.stderr().strip().lines()).hasSize(1);
    }

    @Test
    void unknown_secret_stops_the_start_in_one_line_naming_the_secret(Keysafe keysafe) {
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start()) {
            AppLaunch launch = proxy(keysafe).env("PROXY_ADMIN_TOKEN", ADMIN).env("OPENAI_SECRET_ID", "team/no-such-secret");
            secrets.clientEnv().forEach(launch::env);

            AppRun run = launch.run();

            assertFailedCleanly(keysafe, run, "Secrets Manager has no secret team/no-such-secret. Create it, or set "
                    + "OPENAI_SECRET_ID to its name or ARN");
            assertThat(run.stderr().strip().lines()).hasSize(1);
            assertThat(secrets.calls("DescribeSecret")).as("it asked Secrets Manager").isPositive();
        }
    }

    @Test
    void main_prints_its_url_serves_and_keeps_the_key_off_its_command_line(Keysafe keysafe) {
        try (RunningApp proxy = proxy(keysafe).env("PROXY_ADMIN_TOKEN", ADMIN).withOpenAiKeyIn("OPENAI_API_KEY").start()) {
            Matcher ready = proxy.awaitLine(READY, Duration.ofSeconds(60));
            assertThat(ready.group()).contains("key " + keysafe.key().fingerprint());

            HttpResponse<String> health = keysafe.answers().get(ready.group(1) + "/health");
            assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
            assertThat(askThrough(keysafe, ready.group(1)).statusCode()).isEqualTo(200);
        }

        // Its output, command line (C11) and files, every answer it gave, and every request upstream.
        keysafe.assertKeyReachedOpenAiAndNowhereElse();
    }

    @Test
    void main_with_openai_secret_id_reads_the_key_from_secrets_manager_and_serves(Keysafe keysafe) {
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start()) {
            secrets.createSecret("team/openai", keysafe.key().value());
            AppLaunch launch = proxy(keysafe).env("PROXY_ADMIN_TOKEN", ADMIN).env("OPENAI_SECRET_ID", "team/openai");
            secrets.clientEnv().forEach(launch::env);
            try (RunningApp proxy = launch.start()) {
                Matcher ready = proxy.awaitLine(READY, Duration.ofSeconds(60));
                HttpResponse<String> answer = askThrough(keysafe, ready.group(1));

                assertThat(ready.group()).contains("key " + keysafe.key().fingerprint());
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).contains(OpenAiStub.ANSWER.split(" ")[0]);
            }
            assertThat(secrets.calls("GetSecretValue")).isEqualTo(1);
        }

        keysafe.assertKeyReachedOpenAiAndNowhereElse();
    }

    /** Issues a client token with the admin token, then asks one question with it, as an app would. */
    private static HttpResponse<String> askThrough(Keysafe keysafe, String base) {
        HttpResponse<String> created = keysafe.answers().postJson(base + "/admin/tokens",
                Json.write(Json.object().put("name", "main").put("budget_usd", 1).set("models",
                        Json.array().add("gpt-4o-mini"))), "Authorization", "Bearer " + ADMIN);
        String token = TestProxy.json(created).path("token").asText();
        return keysafe.answers().postJson(base + "/v1/chat/completions", TestProxy.chat("gpt-4o-mini"),
                "Authorization", "Bearer " + token);
    }
}
