package dev.keysafe.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.proxy.LogCapture;
import dev.keysafe.proxy.RecordingUpstream;
import dev.keysafe.proxy.app.AppConfig;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.proxy.limits.Limits;
import dev.keysafe.testkit.Canary;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A request in flight when the database drops cannot settle, and its worst case stays reserved: the
 * store's upkeep releases it once it has lapsed (no request can run that long), says so in one log
 * line, and counts it on the dashboard's data; the budget is whole again.
 */
class ReservationSweepTest {

    static final Canary KEY = Canary.fresh();

    @Test
    void a_reservation_left_by_a_request_in_flight_when_the_database_dropped_is_released_once_it_has_lapsed()
            throws Exception {
        ProxyDatabase database = ProxyDatabase.create();
        MovableClock clock = new MovableClock();
        CountDownLatch settleTried = new CountDownLatch(1);
        try (LogCapture logs = LogCapture.everythingAtTrace();
             RecordingUpstream upstream = RecordingUpstream.start(true, Duration.ofMillis(20));
             DatabaseCable cable = DatabaseCable.to(ProxyDatabase.port());
             Store store = StoreSettings.postgres(database.url(cable.port()), database.user, database.password.value())
                     .withConnectionTimeout(Duration.ofMillis(250)).open();
             TestProxy proxy = TestProxy.start(upstream.baseUrl(), KEY.value(), countingSettles(store, settleTried), clock,
                     c -> c.withHousekeeping(AppConfig.Housekeeping.KEY_FILE_CHECK, Duration.ofMillis(100)))) {
            String token = proxy.issue("sweep", List.of("gpt-4o-mini"), "1", 1_000, 16);
            String id = store.tokens().get(0).id();
            HttpResponse<InputStream> streaming = proxy.http.send(proxy.request("/v1/chat/completions", token)
                    .POST(HttpRequest.BodyPublishers.ofString(TestProxy.chatStream("gpt-4o-mini"))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(new String(streaming.body().readNBytes(200), StandardCharsets.UTF_8)).contains("\"w0 \"");
            long reserved = store.budget(id).reservedNanoUsd();
            assertThat(reserved).as("the stream's worst case, reserved").isPositive();

            // The database drops mid-stream; the client leaves, and the request cannot settle.
            cable.cut();
            streaming.body().close();
            waitFor(() -> upstream.streamCancelled.getCount() == 0, "the stream to end");
            // The proxy's thread tries to settle after the stream ends; restored any sooner, it would succeed.
            waitFor(() -> settleTried.getCount() == 0, "the request to try to settle");
            cable.restore();
            waitFor(() -> reachable(store), "the database to answer again");

            assertThat(store.budget(id).reservedNanoUsd()).as("left reserved, with no request running").isEqualTo(reserved);
            assertThat(database.query("SELECT token_id FROM reservations")).containsExactly(id);
            Thread.sleep(300);
            assertThat(store.budget(id).reservedNanoUsd()).as("not released before it lapses").isEqualTo(reserved);

            // Time passes beyond the longest request there can be.
            clock.moveOn(Limits.lifetime(proxy.config.proxy()).plusSeconds(1));
            // The upkeep releases it, then says so: wait for its line as well as the release.
            waitFor(() -> store.budget(id).reservedNanoUsd() == 0 && !lapsed(logs).isEmpty(), "the upkeep to release it");

            assertThat(database.query("SELECT count(*) FROM reservations")).containsExactly("0");
            assertThat(store.budget(id).spentNanoUsd()).as("nothing charged for a request that never settled").isZero();
            List<String> said = lapsed(logs);
            assertThat(said).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("WARN dev.keysafe.proxy.store.Upkeep - store: released 1 lapsed reservation(s)")
                    .contains("(" + id + ")").containsPattern("req_[0-9a-f]{16}"));
            HttpResponse<String> usage = proxy.get("/admin/usage", proxy.adminToken);
            assertThat(TestProxy.json(usage).path("reservations_released").asLong()).isEqualTo(1);
            assertThat(proxy.post("/v1/chat/completions", token, TestProxy.chat("gpt-4o-mini")).statusCode())
                    .as("served again").isEqualTo(200);
            assertThat(store.budget(id).reservedNanoUsd()).isZero();
            assertThat(logs.text()).doesNotContain(KEY.value()).doesNotContain(database.password.value());
        }
    }

    /** {@code store}, counting down {@code tried} once a request's settle has run, whether it failed or not. */
    private static Store countingSettles(Store store, CountDownLatch tried) {
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                (self, method, args) -> {
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (method.getName().equals("settle")) {
                            tried.countDown();
                        }
                    }
                });
    }

    private static List<String> lapsed(LogCapture logs) {
        return logs.proxyText().lines().filter(line -> line.contains("lapsed reservation")).toList();
    }

    private static boolean reachable(Store store) {
        return store.reachable();
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 10 s for " + what);
            }
            Thread.sleep(20);
        }
    }
}
