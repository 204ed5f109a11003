package dev.keysafe.testkit.secrets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * A port on 127.0.0.1 bound by a socket that does not listen: a connection to it is refused, as
 * when nothing is there, yet no server asking for any free port can be given it. A freed port
 * goes to the next server that asks, and a client of the old one then gets that server's answers.
 */
final class HeldPort implements AutoCloseable {

    private static final Duration PATIENCE = Duration.ofSeconds(2);

    private final Socket socket;

    private HeldPort(Socket socket) {
        this.socket = socket;
    }

    /**
     * Holds {@code port}, just freed by a server. Without SO_REUSEADDR no other socket can bind it;
     * that fails while the port's closed connections linger (TIME_WAIT), and then it is bound with
     * SO_REUSEADDR, which still keeps it from a server asking for any free port. The stopped
     * server's socket can take a moment to close, so this tries for up to 2 s; then it returns
     * null and the port is free, as it was before ports were held.
     */
    static HeldPort hold(int port) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            for (boolean reuse : new boolean[] {false, true}) {
                Socket socket = new Socket();
                try {
                    socket.setReuseAddress(reuse);
                    socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
                    return new HeldPort(socket);
                } catch (IOException e) {
                    closeQuietly(socket);
                }
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** Lets the port go. */
    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // a socket that is not connected closes without a word that matters here
        }
    }
}
