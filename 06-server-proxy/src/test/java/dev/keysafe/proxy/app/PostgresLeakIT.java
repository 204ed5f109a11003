package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.Sha256;
import dev.keysafe.proxy.ClientTokens;
import dev.keysafe.proxy.LogCapture;
import dev.keysafe.proxy.store.ProxyDatabase;
import dev.keysafe.proxy.store.Store;
import dev.keysafe.proxy.store.StoreSettings;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole leak contract of {@link ProxyLeakIT} again, with the proxy's state in PostgreSQL
 * (PROXY_STORE=postgres): every channel stays clean with a database in the path. Plus what only a
 * database has (C19): a dump of every table holds no key, no client token and no password, and
 * tokens only as their hashes; nor do the start-up logs of the pool and Flyway hold the password.
 */
class PostgresLeakIT extends ProxyLeakIT {

    ProxyDatabase database;
    StoreSettings settings;
    Store store;
    String startupLogs;

    @Override
    @BeforeAll
    void start() {
        logs = LogCapture.everythingAtTrace();
        database = ProxyDatabase.create();
        settings = database.settings();
        store = settings.open();
        startupLogs = logs.text();
        stub = OpenAiStub.start();
        keySource = startKeySource();
        proxy = TestProxy.start(stub.baseUrl(), keySource, Map.of(),
                config -> config.withUpstreamTimeout(Duration.ofSeconds(5)), store);
        clientToken = proxy.issue("leak-test", List.of("gpt-4o-mini"), "5", 100_000, 256);
    }

    @Override
    @AfterAll
    void stop() {
        super.stop();
        store.close();
    }

    @Test
    void every_table_holds_no_key_no_client_token_and_no_password_and_tokens_only_as_hashes() {
        stub.reset();
        stub.acceptKeys(KEY.value());
        assertThat(proxy.post("/v1/chat/completions", clientToken, TestProxy.chat("gpt-4o-mini")).statusCode())
                .isEqualTo(200);
        assertThat(proxy.post("/admin/rotate", proxy.adminToken, "").statusCode()).isEqualTo(200);
        String session = TestProxy.json(proxy.post("/session", null, "")).path("token").asText();
        assertThat(session).startsWith(ClientTokens.PREFIX);

        String dump = database.dump();

        assertThat(dump).contains("== client_tokens", "== budgets", "== usage_ledger", "== audit_log",
                "== rate_buckets", "== flyway_schema_history");
        assertThat(database.count("usage_ledger")).as("ledger rows").isPositive();
        assertThat(database.count("audit_log")).as("audit rows").isPositive();
        assertThat(database.count("rate_buckets")).as("rate-limit buckets").isPositive();
        assertThat(dump).as("tokens are kept as their hashes")
                .contains(Sha256.hex(clientToken), Sha256.hex(session));
        assertThat(Detectors.inText(KEY, Channel.C19, "every table", dump)).isEmpty();
        assertThat(Detectors.inText(database.password, Channel.C19, "every table", dump)).isEmpty();
        assertThat(dump).doesNotContain(clientToken).doesNotContain(session).doesNotContain(proxy.adminToken)
                .doesNotContain(clientToken.substring(ClientTokens.PREFIX.length()));
    }

    @Test
    void pool_and_migration_logs_at_trace_and_the_store_settings_hold_no_password() {
        assertThat(startupLogs).as("the pool's and Flyway's start-up, captured").contains("keysafe-store")
                .containsIgnoringCase("flyway");

        assertThat(Detectors.inText(database.password, Channel.C7, "start-up logs at TRACE", startupLogs)).isEmpty();
        assertThat(Detectors.inText(database.password, Channel.C7, "logs at TRACE", logs.text())).isEmpty();
        assertThat(String.valueOf(settings)).contains(database.url(), "password (set)");
        assertThat(Detectors.inObjects(database.password, List.of(settings, store))).isEmpty();
    }
}
