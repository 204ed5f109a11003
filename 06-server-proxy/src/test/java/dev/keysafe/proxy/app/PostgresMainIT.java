package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.proxy.store.ProxyDatabase;
import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.KeysafeTest;
import dev.keysafe.testkit.RunningApp;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * PROXY_STORE=postgres as a user runs it: each instance its own JVM from the packaged jar, the
 * settings in its environment, through the testkit's public API. Two instances on one database
 * share tokens and revocations; the login can come from Secrets Manager; an unreachable database
 * stops the start in one line. The key is followed everywhere by the one leak check; the
 * database password, a second secret, by the same detectors.
 */
@KeysafeTest
@Execution(ExecutionMode.CONCURRENT)
class PostgresMainIT {

    /** This module's folder: the proxy starts from the jar the build packaged. */
    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final String READY = "keysafe proxy listening on (http://127\\.0\\.0\\.1:[0-9]+)/.*";
    static final String ADMIN = "admin-" + TestProxy.randomHex(20);

    /** An instance on {@code database}, logging in with its user and password, as the settings give them. */
    private static AppLaunch instance(Keysafe keysafe, ProxyDatabase database) {
        return keysafe.app(ProxyApp.class.getName()).packagedIn(MODULE).withOwnLogging().env("PORT", "0")
                .env("PROXY_ADMIN_TOKEN", ADMIN).withOpenAiKeyIn("OPENAI_API_KEY").env("PROXY_STORE", "postgres")
                .env("PROXY_DB_URL", database.url()).env("PROXY_DB_USER", database.user)
                .env("PROXY_DB_PASSWORD", database.password.value());
    }

    private static void assertNoPassword(ProxyDatabase database, AppRun run) {
        assertThat(Detectors.inText(database.password, Channel.C7, "output", run.stdout() + run.stderr())).isEmpty();
        assertThat(Detectors.inCommandLine(database.password, run.commandLine())).isEmpty();
    }

    @Test
    void an_unreachable_database_stops_the_start_in_one_line_naming_the_url_and_not_the_password(Keysafe keysafe)
            throws IOException {
        ProxyDatabase database = ProxyDatabase.create();
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }

        AppRun run = instance(keysafe, database).env("PROXY_DB_URL", database.url(closed)).run();

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.stderr().strip()).startsWith("The proxy's database cannot be reached (SQLState 08001): check "
                + "PROXY_DB_URL").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(run.stderr().strip().lines()).hasSize(1);
        assertNoPassword(database, run);
        assertThat(keysafe.leaks()).isEmpty();
    }

    @Test
    void two_instances_on_one_database_share_tokens_and_a_revocation_on_one_holds_on_the_other(Keysafe keysafe)
            throws Exception {
        ProxyDatabase database = ProxyDatabase.create();
        CompletableFuture<RunningApp> starting = CompletableFuture.supplyAsync(() -> instance(keysafe, database).start());
        AppRun ranOne;
        AppRun ranTwo;
        String token;
        try (RunningApp one = instance(keysafe, database).start(); RunningApp two = starting.get()) {
            String lineOne = one.awaitLine(READY, Duration.ofSeconds(60)).group();
            String lineTwo = two.awaitLine(READY, Duration.ofSeconds(60)).group();
            String baseOne = lineOne.replaceAll(READY, "$1");
            String baseTwo = lineTwo.replaceAll(READY, "$1");
            HttpResponse<String> created = keysafe.answers().postJson(baseOne + "/admin/tokens", grant("shared"),
                    "Authorization", "Bearer " + ADMIN);
            token = TestProxy.json(created).path("token").asText();
            String id = TestProxy.json(created).path("id").asText();

            HttpResponse<String> onTwo = keysafe.answers().postJson(baseTwo + "/v1/chat/completions",
                    TestProxy.chat("gpt-4o-mini"), "Authorization", "Bearer " + token);
            int revoked = keysafe.answers().send(HttpRequest.newBuilder(URI.create(baseTwo + "/admin/tokens/" + id))
                    .header("Authorization", "Bearer " + ADMIN).DELETE().build()).statusCode();
            HttpResponse<String> onOne = keysafe.answers().postJson(baseOne + "/v1/chat/completions",
                    TestProxy.chat("gpt-4o-mini"), "Authorization", "Bearer " + token);

            assertThat(lineOne).contains("store postgres");
            assertThat(lineTwo).contains("store postgres");
            assertThat(onTwo.statusCode()).as("issued on one, served by two").isEqualTo(200);
            assertThat(onTwo.body()).contains(OpenAiStub.ANSWER.split(" ")[0]);
            assertThat(revoked).isEqualTo(204);
            assertThat(onOne.statusCode()).as("revoked on two, refused by one").isEqualTo(401);
            assertThat(keysafe.answers().get(baseOne + "/health").body()).isEqualTo("{\"status\":\"ok\"}");
            assertThat(database.count("usage_ledger")).isEqualTo(1);
            ranOne = one.stop();
            ranTwo = two.stop();
        }
        for (AppRun instance : List.of(ranOne, ranTwo)) {
            assertNoPassword(database, instance);
            assertThat(instance.stdout() + instance.stderr()).doesNotContain(token);
        }
        keysafe.assertKeyReachedOpenAiAndNowhereElse();
    }

    @Test
    void the_database_login_can_come_from_secrets_manager_through_aws_jdbc_driver(Keysafe keysafe) {
        ProxyDatabase database = ProxyDatabase.create();
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start()) {
            secrets.createSecret("team/proxy-db", Json.write(Json.object().put("username", database.user)
                    .put("password", database.password.value())));
            AppLaunch launch = keysafe.app(ProxyApp.class.getName()).packagedIn(MODULE).withOwnLogging()
                    .env("PORT", "0").env("PROXY_ADMIN_TOKEN", ADMIN).withOpenAiKeyIn("OPENAI_API_KEY")
                    .env("PROXY_STORE", "postgres")
                    .env("PROXY_DB_URL", database.url().replace("jdbc:postgresql://", "jdbc-secretsmanager:postgresql://"))
                    .env("PROXY_DB_SECRET_ID", "team/proxy-db");
            secrets.clientEnv().forEach(launch::env);
            AppRun ran;
            try (RunningApp proxy = launch.start()) {
                String base = proxy.awaitLine(READY, Duration.ofSeconds(60)).group(1);
                HttpResponse<String> created = keysafe.answers().postJson(base + "/admin/tokens", grant("from-secret"),
                        "Authorization", "Bearer " + ADMIN);
                String token = TestProxy.json(created).path("token").asText();
                HttpResponse<String> answer = keysafe.answers().postJson(base + "/v1/chat/completions",
                        TestProxy.chat("gpt-4o-mini"), "Authorization", "Bearer " + token);

                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(database.count("client_tokens")).isEqualTo(1);
                assertThat(secrets.calls("GetSecretValue")).as("the driver read the login").isPositive();
                ran = proxy.stop();
            }
            assertNoPassword(database, ran);
        }
        keysafe.assertKeyReachedOpenAiAndNowhereElse();
    }

    private static String grant(String name) {
        return Json.write(Json.object().put("name", name).put("budget_usd", 1).set("models", Json.array().add("gpt-4o-mini")));
    }
}
