package dev.keysafe.proxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Portkey's AI gateway (npm {@code @portkey-ai/gateway}, Node), installed once into a cache folder of
 * the user's and started on loopback in front of the fast upstream ({@code x-portkey-provider: openai},
 * {@code x-portkey-custom-host}). It listens on every interface by itself; a preload makes every
 * server of its process listen on 127.0.0.1 only.
 */
final class Portkey implements AutoCloseable {

    static final String VERSION = "1.15.2";

    private static final String LOOPBACK_ONLY = """
            // Every server this process opens listens on 127.0.0.1 only.
            const net = require('net');
            const listen = net.Server.prototype.listen;
            net.Server.prototype.listen = function (...args) {
              if (args[0] !== null && typeof args[0] === 'object') {
                args[0] = Object.assign({}, args[0], { host: '127.0.0.1' });
              } else if (typeof args[1] === 'function' || args.length < 2) {
                args.splice(1, 0, '127.0.0.1');
              } else {
                args[1] = '127.0.0.1';
              }
              return listen.apply(this, args);
            };
            """;

    private final Process process;
    private final int port;

    private Portkey(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Why Portkey cannot be measured here, or null when it can. */
    static String missing() {
        if (!Files.isExecutable(Path.of("/usr/bin/node")) || !Files.isExecutable(Path.of("/usr/bin/npm"))) {
            return "node and npm are not installed (Debian: apt-get install nodejs npm)";
        }
        return null;
    }

    /** Installs (once) and starts the gateway; throws with npm's or node's last words when it cannot. */
    static Portkey start(Path folder) throws IOException, InterruptedException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "keysafe-bench", "portkey-" + VERSION);
        Path gateway = cache.resolve("node_modules/@portkey-ai/gateway");
        if (!Files.exists(gateway.resolve("build/start-server.js"))) {
            Files.createDirectories(cache);
            Process npm = new ProcessBuilder("/usr/bin/npm", "install", "--prefix", cache.toString(), "--no-audit",
                    "--no-fund", "@portkey-ai/gateway@" + VERSION).redirectErrorStream(true)
                    .redirectOutput(folder.resolve("npm.out").toFile()).start();
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                Processes.stop(npm);
                throw new IllegalStateException("npm install @portkey-ai/gateway@" + VERSION + " failed: "
                        + Processes.tail(folder.resolve("npm.out")));
            }
        }
        Path preload = Files.writeString(folder.resolve("loopback-only.cjs"), LOOPBACK_ONLY);
        int port = Processes.freePort();
        ProcessBuilder node = new ProcessBuilder("/usr/bin/node", "--require", preload.toString(),
                "build/start-server.js", "--port=" + port, "--headless").directory(gateway.toFile())
                .redirectErrorStream(true).redirectOutput(folder.resolve("portkey.out").toFile());
        node.environment().put("NODE_ENV", "production");
        Process process = node.start();
        if (!Processes.awaitListening(port, Duration.ofSeconds(30), process)) {
            Processes.stop(process);
            throw new IllegalStateException("Portkey did not start: " + Processes.tail(folder.resolve("portkey.out")));
        }
        return new Portkey(process, port);
    }

    /** The peer: the client sends the upstream key, and the headers that pick the upstream. */
    Peer peer(String upstreamBaseUrl, String key) {
        return new Peer("Portkey " + VERSION, "http://127.0.0.1:" + port + "/v1/chat/completions", key,
                Map.of("x-portkey-provider", "openai", "x-portkey-custom-host", upstreamBaseUrl));
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
