package dev.keysafe.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.proxy.ClientTokens;
import dev.keysafe.proxy.RecordingUpstream;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.testkit.run.Captured;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The token CLI drives the admin API: create, list, revoke; without the admin token it does nothing. */
class TokenCommandTest {

    static Captured run(Map<String, String> env, String... args) {
        return Captured.run((out, err) -> TokenCommand.run(env, args, out, err));
    }

    @Test
    void create_list_and_revoke_a_token_from_the_command_line() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start(false, java.time.Duration.ZERO);
             TestProxy proxy = TestProxy.start(upstream.baseUrl(), "sk-test-" + TestProxy.randomHex(16))) {
            Map<String, String> env = Map.of("PROXY_URL", proxy.base, "PROXY_ADMIN_TOKEN", proxy.adminToken);

            Captured created = run(env, "create", "--name", "web-app", "--models", "gpt-4o-mini", "--budget-usd", "0.5",
                    "--rpm", "30");
            String id = TestProxy.JSON.readTree(created.out()).path("id").asText();
            String token = TestProxy.JSON.readTree(created.out()).path("token").asText();
            Captured listed = run(env, "list");
            Captured revoked = run(env, "revoke", id);

            assertThat(created.exitCode()).isEqualTo(ExitCode.OK);
            assertThat(token).startsWith(ClientTokens.PREFIX);
            assertThat(listed.out()).contains(id).contains("web-app").doesNotContain(token);
            assertThat(revoked.out()).isEqualTo("revoked " + id + System.lineSeparator());
            assertThat(proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")).statusCode())
                    .isEqualTo(401);
        }
    }

    @Test
    void without_the_admin_token_nothing_is_sent_and_the_variable_is_named() {
        Captured refused = run(Map.of(), "list");

        assertThat(refused.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(refused.err()).startsWith("PROXY_ADMIN_TOKEN is not set");
    }

    @Test
    void a_wrong_admin_token_is_reported_as_refused() throws Exception {
        try (RecordingUpstream upstream = RecordingUpstream.start(false, java.time.Duration.ZERO);
             TestProxy proxy = TestProxy.start(upstream.baseUrl(), "sk-test-" + TestProxy.randomHex(16))) {
            Captured refused = run(Map.of("PROXY_URL", proxy.base, "PROXY_ADMIN_TOKEN", "wrong-token-wrong-token-x"), "list");

            assertThat(refused.exitCode()).isEqualTo(ExitCode.AUTH);
            assertThat(refused.err()).startsWith("The proxy refused (HTTP 401)").doesNotContain("wrong-token");
        }
    }
}
