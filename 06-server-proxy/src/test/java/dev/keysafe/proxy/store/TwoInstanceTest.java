package dev.keysafe.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;


import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.proxy.monitor.Alerts;
import dev.keysafe.proxy.monitor.Monitor;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Two proxy instances, as behind a load balancer: each with its own connection pool
 * ({@link PostgresStore}) on one PostgreSQL database, in front of one upstream. Whatever guards
 * money, rate or access holds across both, as if they were one.
 */
class TwoInstanceTest {

    static final Canary KEY = Canary.fresh();
    static final int RACERS = 200;

    @RegisterExtension
    static final OpenAiStubExtension openai = OpenAiStubExtension.accepting(KEY.value());

    static ProxyDatabase database;
    static Store storeA;
    static Store storeB;
    static TestProxy a;
    static TestProxy b;

    @BeforeAll
    static void start() {
        database = ProxyDatabase.create();
        storeA = database.settings().open();
        storeB = database.settings().open();
        a = TestProxy.start(openai.stub().baseUrl(), KEY.value(), storeA, Clock.systemUTC());
        b = TestProxy.start(openai.stub().baseUrl(), KEY.value(), storeB, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        storeA.close();
        storeB.close();
    }

    private static String idOf(TestProxy proxy, String name) {
        return proxy.store.tokens().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow().id();
    }

    @Test
    void two_hundred_requests_racing_across_two_instances_never_spend_more_than_the_budget() throws Exception {
        // $0.0005 buys at most 69 answers at 7,200 nano-dollars each (12 in x 150 + 9 out x 600).
        String token = a.issue("race", List.of("gpt-4o-mini"), "0.0005", 100_000, 16);
        String id = idOf(a, "race");
        List<Integer> statuses = TestProxy.raceChats(RACERS, i -> i % 2 == 0 ? a : b, token);
        long answeredByA = 0;
        for (int i = 0; i < RACERS; i += 2) { // the even requests went to A
            answeredByA += statuses.get(i) == 200 ? 1 : 0;
        }

        long answered = statuses.stream().filter(s -> s == 200).count();
        Store.Budget budget = storeB.budget(id);
        // The figures the README quotes.
        System.out.printf("two instances: %d racing requests, %d answered (%d by A), %d refused; spent %d of %d "
                        + "nano-dollars; ledger rows %d, upstream calls %d%n", RACERS, answered, answeredByA,
                RACERS - answered, budget.spentNanoUsd(), budget.limitNanoUsd(), storeA.usage(id).requests(),
                openai.stub().journal().size());
        assertThat(statuses).containsOnly(200, 429);
        assertThat(answered).as("answered").isPositive().isLessThanOrEqualTo(69);
        assertThat(answeredByA).as("answered by A").isPositive().isLessThan(answered);
        assertThat(statuses.stream().filter(s -> s == 429).count()).as("refused for budget").isPositive();
        assertThat(budget.spentNanoUsd()).isLessThanOrEqualTo(budget.limitNanoUsd()).isEqualTo(answered * 7_200);
        assertThat(budget.reservedNanoUsd()).isZero();
        assertThat(database.query("SELECT count(*) FROM usage_ledger WHERE token_id = '" + id + "'"))
                .as("ledger rows").containsExactly(String.valueOf(openai.stub().journal().size()));
        assertThat(openai.stub().journal()).hasSize((int) answered);
    }

    @Test
    void a_token_revoked_on_one_instance_is_refused_by_the_other_on_the_next_request() {
        String token = a.issue("revoked-on-a", List.of("gpt-4o-mini"), "1", 1_000, 16);
        String id = idOf(a, "revoked-on-a");
        assertThat(b.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")).statusCode())
                .as("issued on A, served by B").isEqualTo(200);

        assertThat(a.delete("/admin/tokens/" + id, a.adminToken).statusCode()).isEqualTo(204);
        HttpResponse<String> refused = b.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini"));

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(TestProxy.json(refused).at("/error/code").asText()).isEqualTo("invalid_token");
        assertThat(TestProxy.json(b.get("/admin/tokens", b.adminToken)).findValues("id").toString()).contains(id);
        assertThat(openai.stub().journal()).as("only the request before the revocation went upstream").hasSize(1);
    }

    @Test
    void a_spike_spread_over_both_instances_is_seen_in_their_shared_counts_and_alerted_once() {
        // Standing still between moves: a real minute ending mid-spike split its 80 requests 49 and 31.
        MovableClock clock = MovableClock.standingAt(Instant.now());
        Alerts alerts = new Alerts(clock, Optional.empty());
        Monitor onA = new Monitor(clock, alerts, storeA.minuteCounts());
        Monitor onB = new Monitor(clock, alerts, storeB.minuteCounts());
        ClientToken token = new ClientToken("tok_spike_" + TestProxy.randomHex(4), "spread", "h", "...abcd",
                Set.of("gpt-4o-mini"), 1_000_000, 100_000, 16, Instant.now(), Instant.now().plusSeconds(86_400), false,
                "client");
        ListAppender<ILoggingEvent> raised = new ListAppender<>();
        Logger alertLogger = (Logger) LoggerFactory.getLogger(Alerts.LOGGER);
        Level level = alertLogger.getLevel();
        raised.start();
        alertLogger.addAppender(raised);
        alertLogger.setLevel(Level.WARN);
        try {
            // Ten quiet minutes, 6 requests a minute, half through each instance.
            for (int minute = 0; minute < Monitor.BASELINE_MINUTES; minute++) {
                for (int i = 0; i < 6; i++) {
                    (i % 2 == 0 ? onA : onB).requestArrived(token);
                }
                clock.moveOn(Duration.ofMinutes(1));
            }
            // Then 80 in one minute, 40 through each: each instance alone would see 40 and alert too.
            for (int i = 0; i < 80; i++) {
                (i % 2 == 0 ? onA : onB).requestArrived(token);
            }
        } finally {
            alertLogger.detachAppender(raised);
            alertLogger.setLevel(level);
        }

        List<String> spikes = raised.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("\"alert\":\"request_spike\"") && m.contains(token.id())).toList();
        assertThat(spikes).as("one alert for the fleet").singleElement().satisfies(alert -> assertThat(alert)
                .contains("\"requests_this_minute\":30").contains("\"baseline_per_minute\":6.0"));
        assertThat(onB.perMinute(token.id())).as("either instance's chart shows the fleet's counts").endsWith(6L, 80L);
        assertThat(onA.perMinute(token.id())).isEqualTo(onB.perMinute(token.id()));
    }

    @Test
    void the_rate_limit_is_global_accepted_requests_across_both_instances_sum_to_the_rpm() {
        int rpm = 6;
        String token = a.issue("rate", List.of("gpt-4o-mini"), "1", rpm, 16);
        List<Integer> fromA = new ArrayList<>();
        List<Integer> fromB = new ArrayList<>();

        // One refill every ten seconds: these twenty requests take far less.
        for (int i = 0; i < 10; i++) {
            fromA.add(a.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")).statusCode());
            fromB.add(b.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")).statusCode());
        }

        List<Integer> all = new ArrayList<>(fromA);
        all.addAll(fromB);
        assertThat(all).containsOnly(200, 429);
        assertThat(all.stream().filter(s -> s == 200).count()).as("accepted by both together").isEqualTo(rpm);
        assertThat(fromA).as("A accepted some").contains(200);
        assertThat(fromB).as("B accepted some").contains(200);
        assertThat(openai.stub().journal()).hasSize(rpm);
    }
}
