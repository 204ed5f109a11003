package dev.keysafe.proxy.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.RecordingUpstream;
import dev.keysafe.proxy.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Spike and budget alerts, on a clock the test moves. */
class MonitorTest {

    /** A clock that stands still until told to move. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final TestClock clock = new TestClock();
    final Monitor monitor = new Monitor(clock, new Alerts(clock, Optional.empty()));
    final ClientToken token = new ClientToken("tok_1", "team-app", "h", "...abcd", Set.of("gpt-4o-mini"),
            1_000_000, 1_000, 100, clock.now, clock.now.plusSeconds(86_400), false, "client");
    final ListAppender<ILoggingEvent> alerts = new ListAppender<>();
    Logger alertLogger;
    ch.qos.logback.classic.Level previousLevel;

    @BeforeEach
    void capture() {
        alertLogger = (Logger) LoggerFactory.getLogger(Alerts.LOGGER);
        previousLevel = alertLogger.getLevel();
        alerts.start();
        alertLogger.addAppender(alerts);
        alertLogger.setLevel(ch.qos.logback.classic.Level.WARN);
        // Kept here, not on the console: these alerts are provoked on purpose.
        alertLogger.setAdditive(false);
    }

    @AfterEach
    void release() {
        alertLogger.detachAppender(alerts);
        alertLogger.setLevel(previousLevel);
        alertLogger.setAdditive(true);
    }

    private void requests(int count) {
        for (int i = 0; i < count; i++) {
            monitor.requestArrived(token);
        }
    }

    private List<String> alertsRaised() {
        // Only alerts; a webhook's delivery report may arrive late from another test.
        return alerts.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("ALERT "))
                .toList();
    }

    @Test
    void steady_traffic_raises_no_alert() {
        for (int minute = 0; minute < 15; minute++) {
            requests(40);
            clock.now = clock.now.plus(Duration.ofMinutes(1));
        }

        assertThat(alertsRaised()).isEmpty();
        assertThat(monitor.perMinute("tok_1")).hasSize(Monitor.KEPT_MINUTES).contains(40L);
    }

    @Test
    void a_jump_well_above_the_tokens_own_baseline_raises_one_structured_alert() {
        for (int minute = 0; minute < 10; minute++) {
            requests(5);
            clock.now = clock.now.plus(Duration.ofMinutes(1));
        }

        requests(100);

        assertThat(alertsRaised()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("ALERT {\"alert\":\"request_spike\"").contains("\"token\":\"tok_1\"")
                .contains("\"fingerprint\":\"...abcd\"").contains("\"baseline_per_minute\":5.0"));
    }

    @Test
    void a_new_token_has_no_baseline_yet_and_raises_no_spike_alert() {
        requests(500);

        assertThat(alertsRaised()).isEmpty();
    }

    @Test
    void an_alert_is_also_posted_to_the_webhook_as_json() throws Exception {
        try (RecordingUpstream hook = RecordingUpstream.start(false, Duration.ZERO)) {
            Alerts withHook = new Alerts(clock, Optional.of(java.net.URI.create(hook.baseUrl() + "/alerts")));

            withHook.raise("request_spike", java.util.Map.of("token", "tok_1", "fingerprint", "...abcd"));

            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (hook.received.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(hook.received).singleElement().satisfies(call -> {
                assertThat(call.path()).isEqualTo("/v1/alerts");
                assertThat(call.body()).startsWith("{\"alert\":\"request_spike\"").contains("\"token\":\"tok_1\"");
            });
        }
    }

    @Test
    void nearing_the_budget_raises_one_alert() {
        monitor.settled(token, new Store.Budget(1_000_000, 700_000, 0));
        monitor.settled(token, new Store.Budget(1_000_000, 800_000, 0));
        monitor.settled(token, new Store.Budget(1_000_000, 900_000, 0));

        assertThat(alertsRaised()).singleElement().satisfies(line -> assertThat(line)
                .contains("\"alert\":\"budget_nearly_spent\"").contains("\"spent_usd\":0.0008"));
    }

    @Test
    void a_budget_left_below_the_smallest_request_raises_the_budget_alert_before_80_percent() {
        monitor.alertWhenLeftCannotCover(t -> 400_000);

        monitor.settled(token, new Store.Budget(1_000_000, 500_000, 0));
        assertThat(alertsRaised()).as("half spent, and what is left covers a request").isEmpty();
        monitor.settled(token, new Store.Budget(1_000_000, 650_000, 0));
        monitor.settled(token, new Store.Budget(1_000_000, 900_000, 0));

        assertThat(alertsRaised()).singleElement().satisfies(line -> assertThat(line)
                .contains("\"alert\":\"budget_nearly_spent\"").contains("\"reason\":\"cannot_cover_a_request\"")
                .contains("\"left_usd\":0.00035").contains("\"needs_usd\":0.0004").contains("\"fingerprint\":\"...abcd\""));
    }

    @Test
    void raised_alerts_are_kept_for_the_dashboard_newest_first_and_only_the_latest() {
        Alerts kept = new Alerts(clock, Optional.empty());

        for (int i = 0; i < Alerts.KEPT + 5; i++) {
            kept.raise("request_spike", java.util.Map.of("token", "tok_" + i));
        }

        List<java.util.Map<String, Object>> recent = kept.recent();
        assertThat(recent).hasSize(Alerts.KEPT);
        assertThat(recent.get(0)).containsEntry("alert", "request_spike").containsEntry("token", "tok_" + (Alerts.KEPT + 4))
                .containsEntry("at", clock.now.toString());
        assertThat(recent.get(Alerts.KEPT - 1)).containsEntry("token", "tok_5");
        assertThat(monitor.alerts().recent()).as("another Alerts keeps its own").isEmpty();
    }
}
