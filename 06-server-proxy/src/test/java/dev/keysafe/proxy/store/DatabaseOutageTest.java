package dev.keysafe.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.proxy.LogCapture;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database goes away mid-run (a cable between the proxy and PostgreSQL is cut): every request
 * that needs the store is refused with 503 {@code store_unavailable}, none goes upstream, no
 * answer or log line holds the key, a client token or the database password, and the outage is
 * logged once. The cable restored, the proxy serves again with no restart.
 */
class DatabaseOutageTest {

    static final Canary KEY = Canary.fresh();

    @RegisterExtension
    static final OpenAiStubExtension openai = OpenAiStubExtension.accepting(KEY.value());

    @Test
    void requests_fail_closed_with_503_while_the_database_is_down_and_succeed_again_when_it_returns()
            throws Exception {
        ProxyDatabase database = ProxyDatabase.create();
        try (LogCapture logs = LogCapture.everythingAtTrace();
             DatabaseCable cable = DatabaseCable.to(ProxyDatabase.port());
             Store store = StoreSettings.postgres(database.url(cable.port()), database.user, database.password.value())
                     .withConnectionTimeout(Duration.ofMillis(250)).open();
             TestProxy proxy = TestProxy.start(openai.stub().baseUrl(), KEY.value(), store, Clock.systemUTC())) {
            String token = proxy.issue("outage", List.of("gpt-4o-mini"), "1", 1_000, 16);
            assertThat(proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")).statusCode())
                    .as("before the outage").isEqualTo(200);
            logs.clear();

            cable.cut();
            List<HttpResponse<String>> during = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                during.add(proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")));
            }
            during.add(proxy.post("/v1/responses", token, "{\"model\":\"gpt-4o-mini\",\"input\":\"hello\"}"));
            during.add(proxy.get("/v1/models", token));
            during.add(proxy.get("/admin/tokens", proxy.adminToken));
            during.add(proxy.post("/session", null, ""));
            HttpResponse<String> health = proxy.get("/health", null);

            assertThat(during).allSatisfy(answer -> {
                assertThat(answer.statusCode()).as("%s", answer.uri()).isEqualTo(503);
                assertThat(answer.headers().firstValue("Retry-After")).contains("5");
                assertThat(TestProxy.json(answer).at("/error/code").asText()).isEqualTo("store_unavailable");
                assertThat(TestProxy.json(answer).at("/error/message").asText())
                        .isEqualTo("The proxy's database is unreachable; try again shortly.");
            });
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).isEqualTo("{\"status\":\"degraded\",\"store\":\"unreachable\"}");
            assertThat(openai.stub().journal()).as("nothing went upstream while the store was down").hasSize(1);

            List<Finding> found = new ArrayList<>();
            for (HttpResponse<String> answer : during) {
                String seen = answer.headers().map() + "\n" + answer.body();
                found.addAll(Detectors.inText(KEY, Channel.C1, "response " + answer.uri().getPath(), seen));
                found.addAll(Detectors.inText(database.password, Channel.C2, "response " + answer.uri().getPath(), seen));
                assertThat(seen).doesNotContain(token).doesNotContain("jdbc:").doesNotContain("SQL")
                        .doesNotContain("Exception").doesNotContain(database.name);
            }
            String logText = logs.text();
            found.addAll(Detectors.inText(KEY, Channel.C7, "logs at TRACE", logText));
            found.addAll(Detectors.inText(database.password, Channel.C7, "logs at TRACE", logText));
            assertThat(found).as("places a secret leaked to").isEmpty();
            // Jetty's own DEBUG lines show request headers as received; the proxy's lines never do.
            assertThat(logs.proxyText()).doesNotContain(token).doesNotContain(proxy.adminToken);
            assertThat(warnings(logs, "unreachable")).as("one WARN for the outage, not one per request").hasSize(1);

            cable.restore();
            HttpResponse<String> after = null;
            for (long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos(); System.nanoTime() < deadline; ) {
                after = proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));
                if (after.statusCode() == 200) {
                    break;
                }
                Thread.sleep(100);
            }

            assertThat(after.statusCode()).as("served again, with no restart").isEqualTo(200);
            assertThat(after.body()).contains(OpenAiStub.ANSWER.split(" ")[0]);
            assertThat(proxy.get("/health", null).body()).isEqualTo("{\"status\":\"ok\"}");
            assertThat(warnings(logs, "reachable again")).hasSize(1);
            assertThat(store.usage(proxy.store.tokens().get(0).id()).requests()).as("ledger rows")
                    .isEqualTo(openai.stub().journal().size()).isEqualTo(2);
        }
    }

    private static List<String> warnings(LogCapture logs, String words) {
        return logs.proxyText().lines().filter(l -> l.startsWith("WARN dev.keysafe.proxy.store.PostgresStore"))
                .filter(l -> l.contains(words)).toList();
    }
}
