package dev.keysafe.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ApiKey;
import dev.keysafe.proxy.LogCapture;
import dev.keysafe.proxy.app.AppConfig;
import dev.keysafe.proxy.app.TestProxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Retention (PROXY_LEDGER_RETENTION_DAYS, PROXY_AUDIT_RETENTION_DAYS): the store's upkeep deletes rows
 * past it in batches, in the background, and keeps the rest.
 */
class UpkeepTest {

    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

    @Test
    void rows_past_their_retention_are_deleted_in_batches_and_the_rest_kept() {
        InMemoryStore store = new InMemoryStore();
        int old = Upkeep.BATCH * 2 + 500;
        for (int i = 0; i < old; i++) {
            store.record(entry(NOW.minus(Duration.ofDays(91))));
        }
        Store.LedgerEntry kept = entry(NOW.minus(Duration.ofDays(89)));
        store.record(kept);
        Store.AuditEvent oldEvent = event(NOW.minus(Duration.ofDays(366)));
        Store.AuditEvent keptEvent = event(NOW.minus(Duration.ofDays(364)));
        store.audit(oldEvent);
        store.audit(keptEvent);

        try (LogCapture logs = LogCapture.everythingAtTrace()) {
            new Upkeep(store, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofDays(90), Duration.ofDays(365))
                    .run();

            assertThat(store.recentEntries(10_000)).containsExactly(kept);
            assertThat(store.auditLog(10)).containsExactly(keptEvent);
            assertThat(logs.proxyText().lines().filter(line -> line.contains("Upkeep")).toList()).containsExactly(
                    "INFO dev.keysafe.proxy.store.Upkeep - store: deleted " + old + " ledger row(s) older than 90 days",
                    "INFO dev.keysafe.proxy.store.Upkeep - store: deleted 1 audit row(s) older than 365 days");
        }
    }

    @Test
    void the_full_server_keeps_its_store_in_the_background_with_no_request_made() throws Exception {
        InMemoryStore store = new InMemoryStore();
        store.audit(event(NOW.minus(Duration.ofDays(3))));
        store.record(entry(NOW.minus(Duration.ofDays(3))));
        Store.LedgerEntry recent = entry(NOW);
        store.record(recent);
        try (TestProxy proxy = TestProxy.start("http://127.0.0.1:9/v1", () -> ApiKey.of(
                        "sk-test-unused-" + TestProxy.randomHex(8)),
                Map.of("PROXY_LEDGER_RETENTION_DAYS", "2", "PROXY_AUDIT_RETENTION_DAYS", "2"),
                c -> c.withHousekeeping(AppConfig.Housekeeping.KEY_FILE_CHECK, Duration.ofMillis(100)), store)) {
            // One upkeep pass deletes the ledger's old rows, then the audit log's: wait for both.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while ((store.recentEntries(10).size() > 1 || !store.auditLog(10).isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            assertThat(store.recentEntries(10)).containsExactly(recent);
            assertThat(store.auditLog(10)).isEmpty();
            assertThat(proxy.config.housekeeping().ledgerRetention()).isEqualTo(Duration.ofDays(2));
        }
    }

    @Test
    void retention_defaults_to_90_days_of_ledger_and_a_year_of_audit_and_a_bad_value_is_named() {
        Map<String, String> env = Map.of("PROXY_ADMIN_TOKEN", "admin-" + TestProxy.randomHex(20));
        AppConfig.Housekeeping defaults = AppConfig.fromEnv(env).housekeeping();

        assertThat(defaults.ledgerRetention()).isEqualTo(Duration.ofDays(90));
        assertThat(defaults.auditRetention()).isEqualTo(Duration.ofDays(365));
        assertThat(defaults.storeUpkeep()).isEqualTo(Duration.ofSeconds(30));
        for (String setting : List.of("PROXY_LEDGER_RETENTION_DAYS", "PROXY_AUDIT_RETENTION_DAYS")) {
            Map<String, String> bad = new HashMap<>(env);
            bad.put(setting, "0");
            assertThatThrownBy(() -> AppConfig.fromEnv(bad))
                    .hasMessageStartingWith(setting + " must be a whole number from 1 to 36500");
        }
    }

    private static Store.LedgerEntry entry(Instant at) {
        return new Store.LedgerEntry("tok_1", at, "/v1/chat/completions", "gpt-4o-mini", 200, 1, 1, 1);
    }

    private static Store.AuditEvent event(Instant at) {
        return new Store.AuditEvent(at, "token.create", "tok_1", "", "", "127.0.0.1");
    }
}
