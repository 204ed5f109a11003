package dev.keysafe.workshop.room;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.Needle;
import dev.keysafe.workshop.lab.Lab;
import dev.keysafe.workshop.lab.Labs;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A room for one test: its server started on 127.0.0.1 and a free port, its join code and admin
 * token, every line it logged, and the HTTP calls tests make against it. Optionally kept in a
 * state file, as {@code ./kit room serve --state FILE} keeps it.
 */
final class TestRoom implements AutoCloseable {

    final List<String> log = new CopyOnWriteArrayList<>();
    final String adminToken = RoomSecrets.adminToken();
    final Room room;
    final String code;
    final Javalin app;
    final String base;
    final Path stateFile;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private TestRoom(Path stateFile) {
        this.stateFile = stateFile;
        this.room = new Room(Clock.systemUTC(), Labs.LABS.stream().map(Lab::id).toList(),
                stateFile == null ? new Room.Snapshot(List.of()) : StateFile.load(stateFile));
        if (stateFile != null) {
            StateFile saved = new StateFile(stateFile, log::add);
            room.onChange(saved::save);
            saved.save(room.snapshot());
        }
        this.code = room.newJoinCode();
        this.app = RoomServer.create(room, adminToken, log::add, Clock.systemUTC()).start("127.0.0.1", 0);
        this.base = "http://127.0.0.1:" + app.port() + "/";
        warmUp();
    }

    /**
     * One refused call of each kind, changing nothing, so classes are loaded before a lab's
     * report arrives with its 2-second patience: on a loaded build machine the room's very first
     * answers are slow, a workshop's room is warm after the first join.
     */
    private void warmUp() {
        get("board");
        post("join", null, "{\"code\":\"-\",\"name\":\"\"}");
        post("progress", RoomSecrets.participantToken(), "{}");
    }

    static TestRoom start() {
        return new TestRoom(null);
    }

    /** A room kept in {@code stateFile}, holding what it holds already (a restart). */
    static TestRoom start(Path stateFile) {
        return new TestRoom(stateFile);
    }

    /** A found-or-not needle for a short secret (a join code): too short for a canary, searched as is and in lower case. */
    static Needle exactly(String secret) {
        return text -> text != null && (text.contains(secret) || text.contains(secret.toLowerCase(java.util.Locale.ROOT)))
                ? List.of("plain") : List.of();
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    HttpResponse<String> post(String path, String bearer, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request);
    }

    /** Joins as {@code name} with the right code; returns the participant's token. */
    String join(String name) {
        HttpResponse<String> joined = post("join", null, Json.write(Json.object().put("code", code).put("name", name)));
        if (joined.statusCode() != 201) {
            throw new AssertionError("join as " + name + ": " + joined.statusCode() + " " + joined.body());
        }
        return json(joined.body()).path("token").asText();
    }

    JsonNode board() {
        return json(get("board").body());
    }

    /** Everything the room holds, as text: its state serialised as the state file keeps it. */
    String dump() {
        return Json.writePretty(room.snapshot());
    }

    static JsonNode json(String text) {
        try {
            return Json.read(text);
        } catch (Json.Malformed e) {
            throw new AssertionError("not JSON: " + text.substring(0, Math.min(200, text.length())));
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
