package dev.keysafe.workshop.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import dev.keysafe.common.Sha256;
import dev.keysafe.workshop.lab.Lab;
import dev.keysafe.workshop.lab.Labs;
import dev.keysafe.workshop.room.RoomLimits.Kind;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * The workshop room's server: the board page ({@code /}, its script and style), the board's data
 * ({@code GET /board}, live at {@code GET /board/live} as server-sent events), the participants'
 * API ({@code POST /join}, {@code /progress}, {@code /leave}) and the facilitator's
 * ({@code POST /admin/join-code}, {@code /admin/remove}, {@code /admin/reset}, with the admin
 * token). {@link #create} builds it unstarted; {@code ./kit room serve} starts it on HOST.
 */
final class RoomServer {

    /** Bodies are small JSON objects; anything bigger is refused before it is read. */
    static final long MAX_BODY_BYTES = 16 * 1024;
    private static final String ANSWERED = "keysafe.room.answered";
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"board.html", "text/html; charset=utf-8"},
            "/board.js", new String[] {"board.js", "text/javascript; charset=utf-8"},
            "/board.css", new String[] {"board.css", "text/css; charset=utf-8"});

    private final Room room;
    private final byte[] adminDigest;
    private final Consumer<String> log;
    private final Clock clock;
    private final RoomLimits limits = new RoomLimits();
    private final BoardStream stream;

    private RoomServer(Room room, byte[] adminDigest, Consumer<String> log, Clock clock) {
        this.room = room;
        this.adminDigest = adminDigest.clone();
        this.log = log;
        this.clock = clock;
        this.stream = new BoardStream(this::board);
        room.onChange(snapshot -> stream.publish());
    }

    /**
     * The room's server, not started: {@code adminToken} guards the admin routes (only its digest
     * is kept); {@code log} gets one line per join, event and admin action, never a secret.
     */
    static Javalin create(Room room, String adminToken, Consumer<String> log, Clock clock) {
        RoomServer server = new RoomServer(room, Sha256.of(adminToken), log, clock);
        Map<String, byte[]> content = new java.util.HashMap<>();
        FILES.forEach((path, file) -> content.put(path, read(file[0])));
        return Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.http.maxRequestSize = MAX_BODY_BYTES;
            // No request logger: it would print every header, tokens included. Jetty's own error
            // pages say a status only, no stack, no cause.
            ErrorHandler quiet = new ErrorHandler();
            quiet.setShowStacks(false);
            quiet.setShowCauses(false);
            quiet.setShowMessageInTitle(false);
            javalin.jetty.modifyServer(jetty -> jetty.setErrorHandler(quiet));
            javalin.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
            javalin.events.serverStopping(server.stream::close);
            javalin.routes.before(RoomServer::securityHeaders);

            FILES.forEach((path, file) -> javalin.routes.get(path,
                    ctx -> ctx.contentType(file[1]).result(content.get(path))));
            javalin.routes.get("/board", ctx -> json(ctx, 200, server.board()));
            // Browsers ask for an icon; none is served, and "none" is not an error worth a line in their console.
            javalin.routes.get("/favicon.ico", ctx -> ctx.status(204));
            javalin.routes.before("/board/live", ctx -> {
                if (server.stream.full()) {
                    throw new RoomError(429, "too_many_boards", "Too many board pages are open; close one and reload.", 30);
                }
            });
            javalin.routes.sse("/board/live", server.stream::accept);
            javalin.routes.post("/join", server::join);
            javalin.routes.post("/progress", server::progress);
            javalin.routes.post("/leave", server::leave);
            javalin.routes.post("/admin/join-code", server::newJoinCode);
            javalin.routes.post("/admin/remove", server::remove);
            javalin.routes.post("/admin/reset", server::reset);

            // Every answer a client sees is written here; none quotes an exception or the request.
            javalin.routes.exception(RoomError.class, (e, ctx) -> answer(ctx, e));
            javalin.routes.exception(Room.Refused.class, (e, ctx) -> answer(ctx, RoomError.of(e)));
            javalin.routes.exception(HttpResponseException.class, (e, ctx) -> answer(ctx, switch (e.getStatus()) {
                case 413 -> new RoomError(413, "body_too_large", "The request body is too large (16 KB at most).");
                case 404 -> notFound();
                case 405 -> new RoomError(405, "method_not_allowed", "That method is not allowed here.");
                default -> e.getStatus() >= 500 ? internal(server, ctx)
                        : new RoomError(e.getStatus(), "bad_request", "The request was refused.");
            }));
            javalin.routes.exception(Exception.class, (e, ctx) -> answer(ctx, internal(server, ctx)));
            javalin.routes.error(404, ctx -> {
                if (ctx.attribute(ANSWERED) == null) {
                    answer(ctx, notFound());
                }
            });
        });
    }

    /** The board as everyone sees it. */
    ObjectNode board() {
        List<Lab> labs = Labs.LABS.stream().filter(l -> room.labIds().contains(l.id())).toList();
        return Board.of(room.snapshot(), labs, clock.instant());
    }

    private void join(Context ctx) throws Room.Refused {
        limit(Kind.JOIN, ctx.ip());
        ObjectNode body = body(ctx);
        String code = body.path("code").isTextual() ? body.get("code").textValue() : "";
        if (code.isBlank() || code.length() > 64) {
            throw RoomError.badRequest("'code' must be the join code the facilitator gave, such as K7QXM2PA.");
        }
        Room.Joined joined;
        try {
            joined = room.join(code, body.path("name").isTextual() ? body.get("name").textValue() : null);
        } catch (Room.Refused refused) {
            if (refused.reason == Room.Refusal.WRONG_CODE) {
                log.accept("refused a join from " + ctx.ip() + ": wrong join code");
            }
            throw refused;
        }
        log.accept(joined.name() + " joined");
        json(ctx, 201, Json.object().put("name", joined.name()).put("token", joined.token())
                .put("reports", "lab, step and time of lab start, lab hint and a passing lab check; nothing else"));
    }

    private void progress(Context ctx) throws Room.Refused {
        limit(Kind.EVENT_PER_ADDRESS, ctx.ip());
        String token = bearer(ctx);
        // Who first: a forged token is refused before it can have a bucket of its own.
        room.who(token);
        limit(Kind.EVENT_PER_PARTICIPANT, Sha256.hex(token));
        Report report = Report.from(body(ctx), room.labIds());
        String name = room.report(token, report);
        log.accept(name + ": lab " + report.lab() + " " + switch (report.step()) {
            case STARTED -> "started";
            case HINT -> "hint " + report.hint();
            case SOLVED -> "solved (self-reported; check " + report.checkVersion() + ", files "
                    + report.digest().substring(0, 12) + ")";
        });
        json(ctx, 200, Json.object().put("recorded", true));
    }

    private void leave(Context ctx) throws Room.Refused {
        limit(Kind.EVENT_PER_ADDRESS, ctx.ip());
        log.accept(room.leave(bearer(ctx)) + " left (their token no longer works)");
        json(ctx, 200, Json.object().put("left", true));
    }

    private void newJoinCode(Context ctx) {
        admin(ctx);
        String code = room.newJoinCode();
        log.accept("join code changed by the facilitator; the old one no longer admits anyone");
        json(ctx, 200, Json.object().put("join_code", code));
    }

    private void remove(Context ctx) throws Room.Refused {
        admin(ctx);
        String name = room.remove(body(ctx).path("name").asText(""));
        log.accept("removed " + name + " (their token no longer works)");
        json(ctx, 200, Json.object().put("removed", name));
    }

    private void reset(Context ctx) {
        admin(ctx);
        int count = room.reset();
        log.accept("room reset: " + count + " participant(s) removed");
        json(ctx, 200, Json.object().put("removed", count));
    }

    /** The admin token in constant time, after the admin rate limit (so it cannot be guessed fast). */
    private void admin(Context ctx) {
        limit(Kind.ADMIN, ctx.ip());
        String bearer = ctx.header("Authorization") == null ? "" : bearer(ctx);
        if (!Sha256.sameDigest(Sha256.of(bearer), adminDigest)) {
            log.accept("refused an admin call from " + ctx.ip() + ": not the admin token");
            throw new RoomError(401, "admin_token_required",
                    "This needs the admin token ./kit room serve printed on the facilitator's terminal.");
        }
    }

    private void limit(Kind kind, String who) {
        long retryAfter = limits.retryAfterSeconds(kind, who);
        if (retryAfter > 0) {
            throw RoomError.tooMany(retryAfter);
        }
    }

    private static String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.startsWith("Bearer ") || header.length() > 200) {
            throw new RoomError(401, "token_required", "Send your participant token as 'Authorization: Bearer "
                    + "...': ./kit room join does this for you.");
        }
        return header.substring("Bearer ".length()).strip();
    }

    private static ObjectNode body(Context ctx) {
        try {
            return Json.readObject(ctx.bodyAsBytes());
        } catch (Json.Malformed e) {
            throw RoomError.badRequest(e.getMessage());
        }
    }

    /** Headers on every answer, as 06 sends them: no caching, no sniffing, no framing, scripts only from here. */
    private static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        ctx.header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY").header("Referrer-Policy", "no-referrer")
                .header("Cross-Origin-Opener-Policy", "same-origin");
    }

    private static RoomError notFound() {
        return new RoomError(404, "not_found", "No such page: the board is at /, its data at /board.");
    }

    private static RoomError internal(RoomServer server, Context ctx) {
        String incident = String.format("%08x", ThreadLocalRandom.current().nextInt());
        // The path came from outside: printable and short in the log.
        String path = ctx.path().replaceAll("[^\\x21-\\x7e]", "?");
        server.log.accept("incident " + incident + " on " + ctx.method() + " "
                + (path.length() > 80 ? path.substring(0, 80) + "..." : path));
        return new RoomError(500, "internal_error", "The room failed on this request (incident " + incident + ").");
    }

    private static void json(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    private static void answer(Context ctx, RoomError error) {
        ObjectNode body = Json.object();
        body.putObject("error").put("code", error.code).put("message", error.getMessage());
        ctx.attribute(ANSWERED, Boolean.TRUE);
        json(ctx, error.status, body);
        if (error.retryAfterSeconds > 0) {
            ctx.header("Retry-After", String.valueOf(error.retryAfterSeconds));
        }
    }

    private static byte[] read(String file) {
        try (InputStream in = RoomServer.class.getResourceAsStream("/room/" + file)) {
            if (in == null) {
                throw new IllegalStateException("room/" + file + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
