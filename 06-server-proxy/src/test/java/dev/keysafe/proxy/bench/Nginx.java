package dev.keysafe.proxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's nginx, started by the benchmark with a configuration of its own on loopback: one server
 * is the fast upstream (a fixed chat completion, or a short stream when asked for one), the other a
 * plain reverse proxy in front of it, the floor for any pass-through.
 */
final class Nginx implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/nginx");

    /** The fixed answer: a whole chat completion, with its usage. */
    static final String ANSWER = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":0,"
            + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            + "\"Hello from the bench.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,"
            + "\"completion_tokens\":5,\"total_tokens\":14}}";

    private static final String STREAM = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"Hello\"}}]}\\n\\ndata: {\"id\":\"c\",\"object\":\"chat.completion.chunk\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,\"total_tokens\":10}}\\n\\n"
            + "data: [DONE]\\n\\n";

    private final Process process;
    private final int upstreamPort;
    private final int proxyPort;

    private Nginx(Process process, int upstreamPort, int proxyPort) {
        this.process = process;
        this.upstreamPort = upstreamPort;
        this.proxyPort = proxyPort;
    }

    /** nginx in {@code folder}; null when it is not installed. */
    static Nginx start(Path folder) throws InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            return null;
        }
        int upstream = Processes.freePort();
        int proxy = Processes.freePort();
        Path conf = folder.resolve("nginx.conf");
        String prefix = folder.toAbsolutePath().toString();
        try {
            Files.writeString(conf, """
                    worker_processes auto;
                    daemon off;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log warn;
                    events { worker_connections 4096; }
                    http {
                      access_log off;
                      client_body_temp_path %1$s/body;
                      proxy_temp_path %1$s/proxy;
                      fastcgi_temp_path %1$s/fastcgi;
                      uwsgi_temp_path %1$s/uwsgi;
                      scgi_temp_path %1$s/scgi;
                      keepalive_requests 1000000;
                      upstream fast { server 127.0.0.1:%2$d; keepalive 64; }
                      server {
                        listen 127.0.0.1:%2$d;
                        location = /v1/chat/completions {
                          if ($http_accept ~* "event-stream") { rewrite ^ /stream last; }
                          default_type application/json;
                          return 200 '%4$s';
                        }
                        location = /stream {
                          internal;
                          default_type text/event-stream;
                          return 200 '%5$s';
                        }
                      }
                      server {
                        listen 127.0.0.1:%3$d;
                        location / {
                          proxy_pass http://fast;
                          proxy_http_version 1.1;
                          proxy_set_header Connection "";
                          proxy_buffering off;
                        }
                      }
                    }
                    """.formatted(prefix, upstream, proxy, ANSWER, STREAM));
            Process process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString(), "-p", prefix)
                    .redirectErrorStream(true).redirectOutput(folder.resolve("nginx.out").toFile()).start();
            if (!Processes.awaitListening(upstream, Duration.ofSeconds(10), process)
                    || !Processes.awaitListening(proxy, Duration.ofSeconds(10), process)) {
                Processes.stop(process);
                throw new IllegalStateException("nginx did not start: " + Processes.tail(folder.resolve("error.log")));
            }
            return new Nginx(process, upstream, proxy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** OPENAI_BASE_URL for the fast upstream. */
    String upstreamBaseUrl() {
        return "http://127.0.0.1:" + upstreamPort + "/v1";
    }

    String proxyBaseUrl() {
        return "http://127.0.0.1:" + proxyPort + "/v1";
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
