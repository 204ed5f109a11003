package dev.keysafe.testkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.KeysafeTest;
import dev.keysafe.testkit.RunningApp;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@KeysafeTest
class KeysafeApiTest {

    @Test
    void an_app_that_keeps_its_key_passes_the_one_check(Keysafe keysafe) {
        AppRun run = keysafe.app(SmallApp.class.getName()).withOpenAiKeyIn("OPENAI_API_KEY").run();

        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.stdout()).contains("status 200");
        keysafe.assertKeyReachedOpenAiAndNowhereElse();
    }

    @Test
    void a_key_printed_to_stderr_fails_naming_stderr_and_the_line_with_the_key_masked(Keysafe keysafe) {
        keysafe.app(SmallApp.class.getName()).withOpenAiKeyIn("OPENAI_API_KEY").args("stderr").run();

        assertThatThrownBy(keysafe::assertKeyReachedOpenAiAndNowhereElse)
                .hasMessageContaining("stderr line 3: the key, plain (C7")
                .hasMessageContaining(keysafe.key().maskedForm())
                .hasMessageNotContaining(keysafe.key().value());
    }

    @Test
    void a_key_written_to_a_file_fails_naming_the_file(Keysafe keysafe) {
        AppRun run = keysafe.app(SmallApp.class.getName()).withOpenAiKeyIn("OPENAI_API_KEY").args("file").run();

        assertThat(run.filesWritten()).anyMatch(f -> f.endsWith("app-cache.txt"));
        assertThatThrownBy(keysafe::assertKeyReachedOpenAiAndNowhereElse)
                .hasMessageContaining("file app-cache.txt line 1: the key, plain (C13")
                .hasMessageNotContaining(keysafe.key().value());
    }

    @Test
    void an_app_that_never_called_openai_proves_nothing_and_fails(Keysafe keysafe) {
        keysafe.app(SmallApp.class.getName()).withOpenAiKeyIn("OPENAI_API_KEY").args("no-call").run();

        assertThatThrownBy(keysafe::assertKeyReachedOpenAiAndNowhereElse)
                .hasMessageContaining("the key never reached the OpenAI stub");
    }

    @Test
    void a_server_answering_with_the_key_fails_naming_the_answer(Keysafe keysafe) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/debug", exchange -> {
            byte[] body = ("{\"key\":\"" + keysafe.key().value() + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            keysafe.app(SmallApp.class.getName()).withOpenAiKeyIn("OPENAI_API_KEY").run();
            var answer = keysafe.answers().get("http://127.0.0.1:" + server.getAddress().getPort() + "/debug");

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThatThrownBy(keysafe::assertKeyReachedOpenAiAndNowhereElse)
                    .hasMessageContaining("answer to GET /debug body line 1: the key, plain (C1")
                    .hasMessageNotContaining(keysafe.key().value());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void answers_refuses_to_call_another_machine(Keysafe keysafe) {
        assertThatThrownBy(() -> keysafe.answers().get("http://example.com/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("127.0.0.1");
    }

    @Test
    void every_test_gets_a_fresh_key_the_stub_accepts(Keysafe keysafe) {
        assertThat(keysafe.baseUrl()).startsWith("http://127.0.0.1:").endsWith("/v1");
        assertThat(keysafe.toString()).doesNotContain(keysafe.key().value());
        assertThat(keysafe.upstreamRequests()).isEmpty();
    }

    @Test
    void a_server_run_in_its_own_jvm_is_checked_for_what_it_answered_and_printed(Keysafe keysafe) {
        String url;
        try (RunningApp server = keysafe.app(SmallApp.class.getName()).withOpenAiKeyIn("OPENAI_API_KEY")
                .args("serve").start()) {
            url = server.awaitLine("listening on (http://127\\.0\\.0\\.1:\\d+)", Duration.ofSeconds(30)).group(1);
            assertThat(keysafe.answers().get(url + "/ask").body()).isEqualTo("ok 200");
            AppRun run = server.stop();
            assertThat(run.stdout()).contains("listening on");
        }

        keysafe.assertKeyReachedOpenAiAndNowhereElse();
    }

    @Test
    void a_server_in_its_own_jvm_answering_with_the_key_fails_naming_the_answer(Keysafe keysafe) {
        try (RunningApp server = keysafe.app(SmallApp.class.getName()).withOpenAiKeyIn("OPENAI_API_KEY")
                .args("serve-leaky").start()) {
            String url = server.awaitLine("listening on (http://127\\.0\\.0\\.1:\\d+)", Duration.ofSeconds(30)).group(1);
            keysafe.answers().get(url + "/ask");
        }

        assertThatThrownBy(keysafe::assertKeyReachedOpenAiAndNowhereElse)
                .hasMessageContaining("answer to GET /ask body line 1: the key, plain (C1")
                .hasMessageNotContaining(keysafe.key().value());
    }
}
