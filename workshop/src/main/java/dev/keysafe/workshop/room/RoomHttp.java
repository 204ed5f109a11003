package dev.keysafe.workshop.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.KitException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The kit's side of the room's HTTP API: one JSON POST with timeouts, short for a lab's report so
 * a room that is down costs a lab a second or two at most, and an answer read as the room's status
 * and message.
 */
final class RoomHttp {

    /** How long a call waits to connect, then for the answer. */
    enum Patience {
        /** A lab's report: long enough for a room across a LAN, short enough never to stall a lab. */
        REPORT(Duration.ofMillis(1500), Duration.ofSeconds(2)),
        /** A room command (join, leave, admin): the user is waiting for this very answer. */
        COMMAND(Duration.ofSeconds(5), Duration.ofSeconds(10));

        final Duration connect;
        final Duration answer;

        Patience(Duration connect, Duration answer) {
            this.connect = connect;
            this.answer = answer;
        }
    }

    private RoomHttp() {
    }

    /** What the room answered: its status, and its JSON body (empty object when there was none). */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** The room's own message for a refusal, in printable characters and a bounded length. */
        String message() {
            String said = body.path("error").path("message").asText("");
            String clean = said.codePoints().filter(c -> c >= 0x20 && c != 0x7f && !Character.isISOControl(c))
                    .limit(300).collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                    .toString();
            return clean.isEmpty() ? "HTTP " + status : clean;
        }
    }

    /** POSTs {@code body} to {@code url}, with {@code bearer} when not null; redirects are not followed. */
    static Answer post(URI url, String bearer, ObjectNode body, Patience patience)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(patience.connect).followRedirects(HttpClient.Redirect.NEVER).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(patience.answer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer;
        try {
            answer = response.body().isBlank() ? Json.object() : Json.read(response.body());
        } catch (Json.Malformed notJson) {
            answer = Json.object();
        }
        return new Answer(response.statusCode(), answer);
    }

    /**
     * The room's base address from what a participant typed: {@code http(s)://host:port}, with or
     * without a trailing {@code /}; nothing else (no credentials, query or fragment).
     */
    static URI base(String typed) {
        try {
            URI uri = new URI(typed.strip());
            boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            if (!web || uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null
                    || uri.getFragment() != null) {
                throw new URISyntaxException(typed, "not a room address");
            }
            String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
            return new URI(uri.getScheme().toLowerCase(java.util.Locale.ROOT), null, uri.getHost(), uri.getPort(),
                    path.endsWith("/") ? path : path + "/", null, null);
        } catch (URISyntaxException e) {
            throw new KitException("URL must be the board's address as ./kit room serve printed it, such as "
                    + "http://192.168.1.20:7080/ (http or https, a host, a port).");
        }
    }
}
