package dev.keysafe.proxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What the benchmark's peers share: free loopback ports, waiting for one to listen, and stopping a process. */
final class Processes {

    private Processes() {
    }

    /** A port free on 127.0.0.1 just now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until something listens on 127.0.0.1:{@code port}; false after {@code patience}. */
    static boolean awaitListening(int port, Duration patience, Process process) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    /** The last lines of a process's output file, for a failure message. */
    static String tail(Path output) {
        try {
            String text = Files.readString(output, StandardCharsets.UTF_8);
            return text.length() > 2_000 ? text.substring(text.length() - 2_000) : text;
        } catch (IOException e) {
            return "(no output)";
        }
    }

    /** Asks {@code process} to stop, then makes it. */
    static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
