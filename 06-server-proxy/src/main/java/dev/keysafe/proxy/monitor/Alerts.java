package dev.keysafe.proxy.monitor;

import dev.keysafe.common.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the proxy says "a person should look at this": a structured event (one JSON object) on
 * the {@code keysafe.alert} logger, which log tooling can match on, and optionally a POST of the
 * same JSON to a webhook. Alerts name tokens by id and fingerprint, never by secret. The latest
 * {@value #KEPT} are also kept in memory for the dashboard ({@code GET /admin/alerts}): those this
 * instance raised since it started.
 */
public final class Alerts {

    /** The logger alerts are written to, at WARN. */
    public static final String LOGGER = "keysafe.alert";

    /** How many recent alerts are kept for the dashboard. */
    public static final int KEPT = 100;

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final Clock clock;
    private final Optional<URI> webhook;
    private final HttpClient http;
    private final Deque<Map<String, Object>> recent = new ArrayDeque<>();

    public Alerts(Clock clock, Optional<URI> webhook) {
        this.clock = clock;
        this.webhook = webhook;
        this.http = webhook.isPresent()
                ? HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                        .followRedirects(HttpClient.Redirect.NEVER).build()
                : null;
    }

    /** Raises alert {@code kind} with {@code fields} (no secrets in them). */
    public void raise(String kind, Map<String, ?> fields) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("alert", kind);
        event.put("at", clock.instant().toString());
        event.putAll(fields);
        String json = Json.write(event);
        LOG.warn("ALERT {}", json);
        keep(event);
        if (webhook.isPresent()) {
            // Fire and forget: an alert must never slow down or fail the request that raised it.
            http.sendAsync(HttpRequest.newBuilder(webhook.get()).timeout(Duration.ofSeconds(5))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.discarding())
                    .exceptionally(failed -> {
                        LOG.warn("alert webhook could not be reached ({})", failed.getClass().getSimpleName());
                        return null;
                    });
        }
    }

    private void keep(Map<String, Object> event) {
        synchronized (recent) {
            recent.addFirst(Collections.unmodifiableMap(event));
            if (recent.size() > KEPT) {
                recent.removeLast();
            }
        }
    }

    /** The alerts this instance raised lately, newest first, as they were logged: kind, time, fields. */
    public List<Map<String, Object>> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }
}
