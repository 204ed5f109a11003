package dev.keysafe.proxy.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ConfigException;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.proxy.store.Store;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.secrets.KeyRotation;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The upstream key from AWS Secrets Manager (OPENAI_SECRET_ID), against the kit's emulator: read
 * through 05's cache, asked on every upstream call, fetched again on rotation, and a start that
 * cannot read it stops with 05's one-line messages.
 */
class SecretsManagerSourceTest {

    private static final AtomicInteger SECRETS = new AtomicInteger();

    @RegisterExtension
    static final OpenAiStubExtension openai = new OpenAiStubExtension();

    static SecretsManagerEmulator secrets;

    @BeforeAll
    static void startEmulator() {
        secrets = SecretsManagerEmulator.start();
    }

    @AfterAll
    static void stopEmulator() {
        secrets.close();
    }

    /** A secret no other test uses, holding {@code value}. */
    private static String newSecret(String value) {
        String id = "keysafe-test/proxy-" + SECRETS.incrementAndGet();
        secrets.createSecret(id, value);
        return id;
    }

    @Test
    void proxy_with_openai_secret_id_answers_with_the_key_from_the_secret_and_two_secrets_manager_calls() {
        Canary key = Canary.fresh();
        OpenAiStub stub = openai.stub().acceptKeys(key.value());
        // The JSON shape: 05 reads the OPENAI_API_KEY field and ignores the rest.
        String id = newSecret("{\"OPENAI_API_KEY\":\"" + key.value() + "\",\"owner\":\"proxy-tests\"}");
        secrets.resetCalls();
        List<HttpResponse<String>> answers = new ArrayList<>();
        try (SecretsManagerSource source = TestProxy.secretsManagerSource(secrets, id);
             TestProxy proxy = TestProxy.start(stub.baseUrl(), source, Map.of(), c -> c)) {
            String token = proxy.issue("gpt-4o-mini");
            for (int i = 0; i < 20; i++) {
                answers.add(proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")));
            }
            answers.add(proxy.post("/v1/chat/completions", token, TestProxy.chatStream("gpt-4o-mini")));

            assertThat(answers).allSatisfy(answer -> {
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).contains("Keep ");
                assertThat(Detectors.inText(key, Channel.C1, "response", answer.headers().map() + answer.body()))
                        .isEmpty();
            });
            assertThat(TestProxy.keysSentToChat(stub, Map.of("the secret's key", key))).hasSize(21)
                    .containsOnly("the secret's key");
            // The cache is asked on every call; Secrets Manager only once (describe, then get).
            assertThat(secrets.calls()).isEqualTo(Map.of("DescribeSecret", 1, "GetSecretValue", 1));
            assertThat(source.secretsManagerCalls()).isEqualTo(2);
            assertThat(proxy.upstreamKey.toString()).contains(key.fingerprint()).doesNotContain(key.value());
            assertThat(source.toString()).contains(id).doesNotContain(key.value());
        }
    }

    @Test
    void a_key_the_cache_has_refreshed_is_used_by_the_next_call_without_a_rotate_or_a_restart() {
        Canary first = Canary.fresh();
        OpenAiStub stub = openai.stub().acceptKeys(first.value());
        String id = newSecret(first.value());
        KeyRotation rotation = KeyRotation.of(secrets, id, stub);
        try (SecretsManagerSource source = TestProxy.secretsManagerSource(secrets, id);
             TestProxy proxy = TestProxy.start(stub.baseUrl(), source, Map.of(), c -> c)) {
            String token = proxy.issue("gpt-4o-mini");
            assertThat(proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")).statusCode())
                    .isEqualTo(200);

            rotation.promoteNewKey();   // AWSPENDING, tested, AWSCURRENT; the old key still works
            Canary second = Canary.of(rotation.currentKey());
            // The cache refreshes behind the proxy's back, as it does when its hour is up.
            source.fetchNow();
            HttpResponse<String> after = proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));

            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(TestProxy.keysSentToChat(stub, Map.of("first", first, "second", second)))
                    .containsExactly("first", "second");
            assertThat(proxy.store.auditLog(10)).extracting(Store.AuditEvent::action).doesNotContain("key.rotate");
        }
    }

    @Test
    void admin_rotate_fetches_the_secret_past_the_cache() {
        Canary first = Canary.fresh();
        OpenAiStub stub = openai.stub().acceptKeys(first.value());
        String id = newSecret(first.value());
        KeyRotation rotation = KeyRotation.of(secrets, id, stub);
        try (SecretsManagerSource source = TestProxy.secretsManagerSource(secrets, id);
             TestProxy proxy = TestProxy.start(stub.baseUrl(), source, Map.of(), c -> c)) {
            String token = proxy.issue("gpt-4o-mini");
            rotation.promoteNewKey();
            Canary second = Canary.of(rotation.currentKey());
            // Within the cache's hour the proxy still sends the first key.
            proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));

            HttpResponse<String> rotated = proxy.post("/admin/rotate", proxy.adminToken, "");
            HttpResponse<String> again = proxy.post("/admin/rotate", proxy.adminToken, "");
            proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));

            assertThat(rotated.statusCode()).isEqualTo(200);
            assertThat(TestProxy.json(rotated).path("changed").asBoolean()).isTrue();
            assertThat(TestProxy.json(again).path("changed").asBoolean()).isFalse();
            assertThat(TestProxy.keysSentToChat(stub, Map.of("first", first, "second", second)))
                    .containsExactly("first", "second");
            assertThat(proxy.store.auditLog(10)).anySatisfy(event -> {
                assertThat(event.action()).isEqualTo("key.rotate");
                assertThat(event.toString()).contains(second.fingerprint()).doesNotContain(second.value());
            });
        }
    }

    @Test
    void a_new_secret_value_without_a_key_is_refused_by_rotate_and_the_last_good_key_keeps_serving() {
        Canary key = Canary.fresh();
        OpenAiStub stub = openai.stub().acceptKeys(key.value());
        String id = newSecret(key.value());
        try (SecretsManagerSource source = TestProxy.secretsManagerSource(secrets, id);
             TestProxy proxy = TestProxy.start(stub.baseUrl(), source, Map.of(), c -> c)) {
            String token = proxy.issue("gpt-4o-mini");
            secrets.putSecretValue(id, "{\"owner\":\"someone forgot the key\"}");

            HttpResponse<String> rotated = proxy.post("/admin/rotate", proxy.adminToken, "");
            HttpResponse<String> answer = proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));

            assertThat(rotated.statusCode()).isEqualTo(409);
            assertThat(TestProxy.json(rotated).at("/error/message").asText())
                    .isEqualTo("The secret " + id + " is JSON without an OPENAI_API_KEY field. Add one, or store the bare key.");
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(TestProxy.keysSentToChat(stub, Map.of("the good key", key))).containsExactly("the good key");
        }
    }

    @Test
    void a_key_revoked_without_a_rotation_costs_at_most_one_secrets_manager_fetch_a_second() {
        Canary key = Canary.fresh();
        OpenAiStub stub = openai.stub().acceptOnly(Canary.fresh().value());
        String id = newSecret(key.value());
        try (SecretsManagerSource source = TestProxy.secretsManagerSource(secrets, id);
             TestProxy proxy = TestProxy.start(stub.baseUrl(), source, Map.of(), c -> c)) {
            String token = proxy.issue("gpt-4o-mini");
            int before = secrets.calls("DescribeSecret");
            long start = System.nanoTime();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                answers.add(proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")));
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;

            assertThat(answers).allSatisfy(answer -> {
                assertThat(answer.statusCode()).isEqualTo(502);
                assertThat(TestProxy.json(answer).at("/error/code").asText()).isEqualTo("upstream_auth");
            });
            int fetches = secrets.calls("DescribeSecret") - before;
            assertThat(fetches).isBetween(1, 1 + (int) seconds);
        }
    }

    @Test
    void unknown_secret_stops_the_start_naming_the_secret() {
        Map<String, String> env = TestProxy.secretsManagerEnv(secrets, "keysafe-test/no-such-secret");

        assertThatThrownBy(() -> new UpstreamKey(UpstreamKey.sourceFrom(env))).isInstanceOf(ConfigException.class)
                .hasMessage("Secrets Manager has no secret keysafe-test/no-such-secret. Create it, or set "
                        + "OPENAI_SECRET_ID to its name or ARN (see 05-secrets-manager/README.md).");
    }

    @Test
    void secrets_manager_unreachable_at_start_stops_it_with_05s_message() {
        try (SecretsManagerEmulator down = SecretsManagerEmulator.start()) {
            Map<String, String> env = TestProxy.secretsManagerEnv(down, "keysafe-test/anything");
            down.outage(SecretsManagerEmulator.Outage.REFUSE_CONNECTIONS);
            long start = System.nanoTime();

            assertThatThrownBy(() -> new UpstreamKey(UpstreamKey.sourceFrom(env))).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("Secrets Manager could not be reached, and no key is cached")
                    .hasMessageContaining("AWS_ENDPOINT_URL_SECRETS_MANAGER");
            assertThat((System.nanoTime() - start) / 1_000_000).as("milliseconds to fail").isLessThan(6_000);
        }
    }
}
