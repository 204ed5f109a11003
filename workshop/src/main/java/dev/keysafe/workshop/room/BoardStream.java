package dev.keysafe.workshop.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import io.javalin.http.sse.SseClient;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The live board: every open board page holds one server-sent-events stream, and each change of
 * the room is sent to all of them as one {@code board} event carrying the whole board (the same
 * JSON as {@code GET /board}). Sending happens on a thread of its own, so a slow projector never
 * holds up a participant's event.
 */
final class BoardStream implements AutoCloseable {

    /** Open streams at most: the projector, the facilitator, and participants who look too. */
    static final int MAX_CLIENTS = 100;
    private static final long KEEP_ALIVE_SECONDS = 15;

    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(daemon("room-board-sender"));
    private final ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor(daemon("room-keep-alive"));
    private final Supplier<ObjectNode> board;

    BoardStream(Supplier<ObjectNode> board) {
        this.board = board;
        // A comment now and then: proxies keep the stream open, and closed pages are found and dropped.
        keepAlive.scheduleAtFixedRate(() -> sender.execute(() -> clients.forEach(c -> send(c, null))),
                KEEP_ALIVE_SECONDS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
    }

    boolean full() {
        return clients.size() >= MAX_CLIENTS;
    }

    /** A board page connected: it gets the board now, and every change from now on. */
    void accept(SseClient client) {
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        clients.add(client);
        String now = Json.write(board.get());
        sender.execute(() -> send(client, now));
    }

    /** The room changed: every page gets the new board. */
    void publish() {
        sender.execute(() -> {
            if (!clients.isEmpty()) {
                String now = Json.write(board.get());
                clients.forEach(c -> send(c, now));
            }
        });
    }

    private void send(SseClient client, String boardJson) {
        synchronized (client) {
            if (client.terminated()) {
                clients.remove(client);
                return;
            }
            try {
                if (boardJson == null) {
                    client.sendComment("keep-alive");
                } else {
                    client.sendEvent("board", boardJson);
                }
            } catch (RuntimeException gone) {
                clients.remove(client);
            }
        }
    }

    @Override
    public void close() {
        keepAlive.shutdownNow();
        sender.shutdownNow();
        clients.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException alreadyClosed) {
                // closing is best effort: the server is stopping anyway
            }
        });
        clients.clear();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
