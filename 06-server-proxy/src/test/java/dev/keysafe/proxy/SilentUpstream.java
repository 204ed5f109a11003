package dev.keysafe.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on 127.0.0.1 that starts answering and then falls silent without closing: a stream
 * sends {@link #CHUNKS} pieces, a plain answer half its body, and then nothing, with the connection
 * held open (a slow-loris from the upstream's side). The shared stub has no such fault; a raw
 * socket also shows when the proxy gives up, because the read that waits on it ends.
 */
public final class SilentUpstream implements AutoCloseable {

    /** Pieces a stream sends before it falls silent. */
    public static final int CHUNKS = 2;

    private final ServerSocket listener;
    /** Requests received. */
    public final AtomicInteger requests = new AtomicInteger();
    /** Counted down when the proxy closes a connection this upstream held open in silence: the call was cancelled. */
    public final CountDownLatch cancelled = new CountDownLatch(1);

    private SilentUpstream() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "silent-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static SilentUpstream start() {
        try {
            return new SilentUpstream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + listener.getLocalPort() + "/v1";
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                Thread answer = new Thread(() -> answer(socket), "silent-upstream-answer");
                answer.setDaemon(true);
                answer.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void answer(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            String body = readRequest(in);
            requests.incrementAndGet();
            if (body.contains("\"stream\":true")) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < CHUNKS; i++) {
                    ObjectNode chunk = Json.object();
                    chunk.putArray("choices").addObject().put("index", 0).putObject("delta").put("content", "w" + i + " ");
                    byte[] event = ("data: " + Json.write(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8);
                    out.write((Integer.toHexString(event.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(event);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            } else {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
                        + "{\"id\":\"c1\",\"object\":\"chat.completion\",").getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            // Silence: nothing more is sent. The read ends when the proxy closes the connection.
            if (in.read() < 0) {
                cancelled.countDown();
            }
        } catch (IOException reset) {
            cancelled.countDown();
        }
    }

    /** Reads one request's head and its Content-Length body; the body as text. */
    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("request ended early");
            }
            head.write(b);
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
