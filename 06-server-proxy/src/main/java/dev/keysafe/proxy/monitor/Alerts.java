package dev.keysafe.proxy.monitor;

import dev.keysafe.common.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the proxy says "a person should look at this": a structured event (one JSON object) on
 * the {@code keysafe.alert} logger, which log tooling can match on, and optionally a POST of the
 * same JSON to a webhook. Alerts name tokens by id and fingerprint, never by secret.
 */
public final class Alerts {

    /** The logger alerts are written to, at WARN. */
    public static final String LOGGER = "keysafe.alert";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final Clock clock;
    private final Optional<URI> webhook;
    private final HttpClient http;

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
}
