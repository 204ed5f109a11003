package dev.keysafe.testkit.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keysafe.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An embedded stand-in for AWS Secrets Manager on 127.0.0.1 and a free port, speaking the real
 * protocol (AWS JSON 1.1: {@code POST /} with {@code X-Amz-Target: secretsmanager.<Operation>}
 * and {@code Content-Type: application/x-amz-json-1.1}), so the AWS SDK, the caching library and
 * the JDBC driver talk to it unchanged through {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}.
 *
 * <p>It knows {@code CreateSecret}, {@code DescribeSecret} (with {@code VersionIdsToStages}, which
 * {@code SecretCache} reads first), {@code GetSecretValue} (by version id or staging label,
 * {@code AWSCURRENT} by default), {@code PutSecretValue} and {@code UpdateSecretVersionStage};
 * answers failures in AWS's error shape ({@code {"__type":"ResourceNotFoundException",...}} with
 * HTTP 400); refuses unsigned requests; can be switched into an {@link Outage} or made slow; and
 * counts the calls it receives per operation, which is what AWS bills.
 *
 * <p>moto ({@code moto_server}) is the reference it is held to: module 05 runs the same scenarios
 * against both where moto is installed.
 */
public final class SecretsManagerEmulator implements AutoCloseable {

    /** The content type of AWS JSON 1.1, in both directions. */
    public static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    /** The region the emulator claims in its ARNs. */
    public static final String REGION = "us-east-1";
    /** Where the kit keeps the demo key by default (module 05's OPENAI_SECRET_ID default). */
    public static final String DEMO_SECRET_ID = "keysafe/openai-api-key";
    /** Static credentials for clients: any signed request is accepted, so these are placeholders. */
    public static final String ACCESS_KEY_ID = "keysafe-emulator";
    public static final String SECRET_ACCESS_KEY = "keysafe-emulator-not-a-secret";

    /** How the emulator can fail, as a real endpoint does. */
    public enum Outage {
        /** It answers. */
        NONE,
        /** Nothing listens on the port, which stays the emulator's: connections are refused. */
        REFUSE_CONNECTIONS,
        /** Every call gets HTTP 500 {@code InternalServiceError}. */
        SERVER_ERROR
    }

    static final String TARGET_PREFIX = "secretsmanager.";

    private final int port;
    private final ExecutorService workers;
    private final Map<String, StoredSecret> secrets = new LinkedHashMap<>();
    private final SecretsManagerProtocol protocol = new SecretsManagerProtocol(secrets);
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private HttpServer server;
    /** The port while nothing listens on it, kept from any server started meanwhile. */
    private HeldPort portHeld;
    private volatile Outage outage = Outage.NONE;
    private volatile Duration slowness = Duration.ZERO;

    private SecretsManagerEmulator(int port, ExecutorService workers) {
        this.port = port;
        this.workers = workers;
    }

    /** Starts the emulator on 127.0.0.1 and a free port. */
    public static SecretsManagerEmulator start() {
        return start(0);
    }

    /** Starts the emulator on 127.0.0.1 and {@code port} (0: any free port). */
    public static SecretsManagerEmulator start(int port) {
        ExecutorService workers = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "secrets-manager-emulator");
            thread.setDaemon(true);
            return thread;
        });
        HttpServer server = bind(port, workers);
        SecretsManagerEmulator emulator = new SecretsManagerEmulator(server.getAddress().getPort(), workers);
        emulator.server = server;
        server.createContext("/", emulator::handle);
        server.start();
        return emulator;
    }

    private static HttpServer bind(int port, ExecutorService workers) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
            server.setExecutor(workers);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    /** The endpoint a client is given: {@code http://127.0.0.1:PORT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * The standard AWS settings that point a module's SDK here: region, endpoint, static
     * credentials, and no instance-metadata lookups (which would reach for the network).
     */
    public Map<String, String> clientEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", REGION);
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint());
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    // ---- the store, for tests and the launcher (the same operations the protocol offers) ----

    /** Creates a secret whose first version, labelled AWSCURRENT, holds {@code value}; returns its ARN. */
    public synchronized String createSecret(String name, String value) {
        if (secrets.containsKey(name)) {
            throw new IllegalStateException("secret " + name + " exists already");
        }
        StoredSecret secret = new StoredSecret(name, SecretsManagerProtocol.arnFor(name), Instant.now());
        secret.add(UUID.randomUUID().toString(), value, List.of(StoredSecret.CURRENT), Instant.now());
        secrets.put(name, secret);
        return secret.arn;
    }

    /** Adds a version holding {@code value} with these labels (AWSCURRENT if none); returns its id. */
    public synchronized String putSecretValue(String secretId, String value, String... stages) {
        List<String> labels = stages.length == 0 ? List.of(StoredSecret.CURRENT) : List.of(stages);
        return protocol.find(secretId).add(UUID.randomUUID().toString(), value, labels, Instant.now()).id;
    }

    /** Moves {@code stage} to version {@code versionId}, as UpdateSecretVersionStage does. */
    public synchronized void moveStage(String secretId, String stage, String versionId) {
        StoredSecret secret = protocol.find(secretId);
        secret.attach(stage, secret.version(versionId).orElseThrow(
                () -> new IllegalArgumentException("no version " + versionId + " in " + secretId)));
    }

    /** Removes {@code stage} from whichever version has it. */
    public synchronized void removeStage(String secretId, String stage) {
        StoredSecret secret = protocol.find(secretId);
        secret.withStage(stage).ifPresent(v -> secret.detach(stage, v));
    }

    /** The id of the version labelled {@code stage}, if any. */
    public synchronized String versionWithStage(String secretId, String stage) {
        return protocol.find(secretId).withStage(stage).map(v -> v.id).orElse(null);
    }

    /** The value of the version labelled {@code stage}: for tests that check what a rotation stored. */
    public synchronized String valueWithStage(String secretId, String stage) {
        return protocol.find(secretId).withStage(stage).map(v -> v.value).orElse(null);
    }

    /** Version ids with their labels, as DescribeSecret lists them. */
    public synchronized Map<String, List<String>> versionIdsToStages(String secretId) {
        return protocol.find(secretId).versionIdsToStages();
    }

    // ---- faults and the call counter ----

    /** Switches the emulator into {@code next}; {@link Outage#NONE} brings it back on the same port. */
    public synchronized SecretsManagerEmulator outage(Outage next) {
        if (next == Outage.REFUSE_CONNECTIONS && server != null) {
            server.stop(0);
            server = null;
            // Freed, the port could go to another test's stub, whose 200s made a "down" secret read as empty.
            portHeld = HeldPort.hold(port);
        } else if (next != Outage.REFUSE_CONNECTIONS && server == null) {
            releasePort();
            server = bind(port, workers);
            server.createContext("/", this::handle);
            server.start();
        }
        outage = next;
        return this;
    }

    /** Delays every answer by {@code delay} ({@link Duration#ZERO}: answer at once). */
    public SecretsManagerEmulator slowness(Duration delay) {
        slowness = delay;
        return this;
    }

    /** Calls received for {@code operation} (e.g. "GetSecretValue"), failed ones included. */
    public int calls(String operation) {
        AtomicInteger count = calls.get(operation);
        return count == null ? 0 : count.get();
    }

    /** Calls received, by operation, sorted by name. */
    public Map<String, Integer> calls() {
        Map<String, Integer> copy = new TreeMap<>();
        calls.forEach((op, count) -> copy.put(op, count.get()));
        return copy;
    }

    /** Every call received, whatever the operation. */
    public int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public void resetCalls() {
        calls.clear();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        releasePort();
        workers.shutdownNow();
    }

    private void releasePort() {
        if (portHeld != null) {
            portHeld.close();
            portHeld = null;
        }
    }

    @Override
    public String toString() {
        return "SecretsManagerEmulator[" + endpoint() + ", " + secrets.size() + " secrets, outage " + outage + "]";
    }

    // ---- the protocol (SecretsManagerProtocol answers each operation) ----

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = target != null && target.startsWith(TARGET_PREFIX)
                    ? target.substring(TARGET_PREFIX.length()) : String.valueOf(target);
            calls.computeIfAbsent(operation, op -> new AtomicInteger()).incrementAndGet();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            SecretsManagerProtocol.pause(slowness);
            try {
                if (outage == Outage.SERVER_ERROR) {
                    throw new SecretsManagerProtocol.AwsError(500, "InternalServiceError", "An error occurred on the server side.");
                }
                SecretsManagerProtocol.check(exchange, target);
                JsonNode request = SecretsManagerProtocol.parse(body);
                ObjectNode response;
                synchronized (this) {
                    response = protocol.dispatch(operation, request);
                }
                SecretsManagerProtocol.send(exchange, 200, response);
            } catch (SecretsManagerProtocol.AwsError error) {
                ObjectNode shape = Json.MAPPER.createObjectNode().put("__type", error.type).put("message", error.getMessage());
                exchange.getResponseHeaders().set("x-amzn-ErrorType", error.type);
                SecretsManagerProtocol.send(exchange, error.status, shape);
            }
        } finally {
            exchange.close();
        }
    }
}
