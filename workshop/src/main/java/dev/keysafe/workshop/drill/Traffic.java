package dev.keysafe.workshop.drill;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.ProxyDriver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The team's service in the drill: calls the proxy with its client token in a loop, a few dozen times a second. */
final class Traffic {

    /** The one question every caller of the drill asks, the service and the stranger alike. */
    private static final String QUESTION = question();

    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Semaphore gate = new Semaphore(1);
    private Thread thread;

    static Traffic start(HttpClient http, String proxyUrl, String token) {
        Traffic traffic = new Traffic();
        traffic.thread = new Thread(() -> {
            while (traffic.running.get()) {
                traffic.gate.acquireUninterruptibly();
                try {
                    (ask(http, proxyUrl + "/v1/chat/completions", token) == 200 ? traffic.ok : traffic.failed)
                            .incrementAndGet();
                } finally {
                    traffic.gate.release();
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "drill-service");
        traffic.thread.setDaemon(true);
        traffic.thread.start();
        return traffic;
    }

    /** One chat call to {@code url} with {@code bearer}; its HTTP status, or -1 when it did not get through. */
    static int ask(HttpClient http, String url, String bearer) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(QUESTION)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String question() {
        ObjectNode question = Json.object().put("model", ProxyDriver.MODEL).put("max_tokens", 16);
        question.putArray("messages").addObject().put("role", "user").put("content", "Weather in Oslo?");
        return Json.write(question);
    }

    /** Holds the service between two calls, so counts taken now add up. */
    void pause() {
        gate.acquireUninterruptibly();
    }

    void resume() {
        gate.release();
    }

    void awaitRequests(int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (total() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    void stop() throws InterruptedException {
        running.set(false);
        thread.join(5000);
    }

    int total() {
        return ok.get() + failed.get();
    }

    int ok() {
        return ok.get();
    }

    int failed() {
        return failed.get();
    }
}
