package dev.keysafe.workshop.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.secrets.KeyRotation;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.ModuleBuild;
import dev.keysafe.workshop.ProxyDriver;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.scan.KeyScan;
import dev.keysafe.workshop.shared.CallerEnvironment;
import dev.keysafe.workshop.shared.ServerProcess;
import dev.keysafe.workshop.shared.WorkDir;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.URIish;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit drill}: a scripted key leak, offline, in steps a facilitator can pause: the key is
 * pushed, found in history, abused by a client outside the team's proxy, rotated through the
 * secrets manager while the team's service keeps running, revoked, and removed from history; then
 * an incident report. The cast is the kit's own: the OpenAI stub plays the OpenAI account, the
 * Secrets Manager emulator holds the key, and module 06 (the proxy, its own JVM) is the team's
 * only way to the API. Each step checks its own outcome, so {@code --auto} doubles as a test.
 */
@Command(name = "drill", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        usageHelpAutoWidth = true,
        description = {"A breach drill: a key leak from push to incident report, offline.",
            "",
            "In a scratch folder (deleted afterwards): a developer pushes the team's OpenAI key; the scanner finds it"
                    + " in the pushed history; the key's usage at OpenAI is more than the proxy's ledger accounts"
                    + " for: an unknown client; the key is rotated through the secrets manager while the team's"
                    + " service keeps calling through the proxy (zero failed requests); the old key is revoked and"
                    + " refused; history is rewritten and force-pushed, and scans clean; an incident report follows.",
            "",
            "Everything is local (127.0.0.1): the OpenAI stub as the account, the Secrets Manager emulator, and"
                    + " module 06's proxy (built by ./kit). Without --auto the drill pauses after each step:"
                    + " press Enter to go on, q to stop."},
        footerHeading = "%nExamples:%n",
        footer = {"  ./kit drill           step by step, for the room", "  ./kit drill --auto    straight through", "",
            "Exit codes:", "  0   every step reached its outcome", "  1   a step did not (the report says which)",
            "  2   stopped by the facilitator (q)"})
public final class DrillCommand implements Callable<Integer> {

    private static final String SERVICE = "weather-bot";
    private static final String SECRET_ID = SecretsManagerEmulator.DEMO_SECRET_ID;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** The service's token: any number of calls a minute, a budget the drill cannot spend. */
    private static final String SERVICE_GRANT = "{\"name\":\"%s\",\"models\":[\"" + ProxyDriver.MODEL
            + "\"],\"budget_usd\":100,\"rpm\":1000000,\"expires_in_seconds\":3600}";
    private static final String QUESTION = "{\"model\":\"" + ProxyDriver.MODEL
            + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"}]}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Workspace workspace;

    @Spec
    CommandSpec spec;

    @Option(names = "--auto", description = "Run straight through without pausing.")
    boolean auto;

    DrillCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    private PrintWriter out;
    private BufferedReader in;
    private final List<String> timeline = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        in = new BufferedReader(new InputStreamReader(workspace.stdin(), Charset.defaultCharset()));
        ModuleBuild proxyBuild = workspace.catalog().build(workspace.catalog().require("06"));
        Path scratch = Files.createTempDirectory("keysafe-drill-");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Traffic service = null;
        try (OpenAiStub openai = OpenAiStub.start();
             SecretsManagerEmulator secrets = SecretsManagerEmulator.start()) {
            String oldKey = demoKey();
            openai.acceptKeys(oldKey);
            secrets.createSecret(SECRET_ID, oldKey);
            out.println("keysafe breach drill: scratch folder " + scratch + ", OpenAI stub at " + openai.baseUrl()
                    + ", Secrets Manager emulator at " + secrets.endpoint());
            String admin = "drill-admin-" + ProxyDriver.randomHex(24);
            ModuleLaunch launch = ModuleLaunch.of(proxyBuild.module().mainClass()).classpath(proxyBuild.classpath())
                    .env("OPENAI_BASE_URL", openai.baseUrl()).env("OPENAI_SECRET_ID", SECRET_ID)
                    .env("PROXY_ADMIN_TOKEN", admin).env("HOST", "127.0.0.1").env("PORT", "0");
            secrets.clientEnv().forEach(launch::env);
            try (ServerProcess proxy = ServerProcess.start(launch, scratch,
                    CallerEnvironment.withoutSecrets(workspace.env()), ProxyDriver.READY, null, null)) {
                Optional<String> url = proxy.awaitReady(READY_TIMEOUT);
                if (url.isEmpty()) {
                    // The proxy's own message: it names settings, never a key.
                    throw new KitException("module 06, the team's proxy, did not start: " + proxy.stderr().strip(), 1);
                }
                String proxyUrl = url.get();
                String serviceToken = issueServiceToken(proxyUrl, admin);
                out.println("the team's service, " + SERVICE + ", calls OpenAI only through its proxy (module 06) at "
                        + proxyUrl + "; the proxy reads the key from the secret " + SECRET_ID + ".");

                // 1. The push.
                step(1, "a key is committed and pushed",
                        "A developer copies the team's key " + fingerprint(oldKey) + " out of the secrets manager to try"
                                + " something, hardcodes it in App.java, commits and pushes to the shared repository.");
                Path origin = scratch.resolve("origin.git");
                Path laptop = scratch.resolve("laptop");
                Git.init().setBare(true).setDirectory(origin.toFile()).setInitialBranch("main").call().close();
                try (Git git = Git.init().setDirectory(laptop.toFile()).setInitialBranch("main").call()) {
                    git.remoteAdd().setName("origin").setUri(new URIish(origin.toString())).call();
                    Files.writeString(laptop.resolve("App.java"), app("\"" + oldKey + "\";"));
                    git.add().addFilepattern(".").call();
                    commit(git, "weather-bot: try the API from my laptop");
                    git.push().setRemote("origin").setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main")).call();
                }
                try (Git shared = Git.open(origin.toFile())) {
                    expect(shared.getRepository().resolve("refs/heads/main") != null,
                            "the commit reached the shared repository");
                }
                if (stopped()) {
                    return Kit.EXIT_USAGE;
                }

                // 2. Detection in the repository.
                step(2, "the scanner finds it in the pushed history", "./kit scan on the shared repository reports it"
                        + " (masked). From now on, assume it was copied: anyone with read access has it.");
                List<KeyScan.Hit> found = KeyScan.history(origin);
                for (KeyScan.Hit hit : found) {
                    out.println("  scan: " + hit);
                }
                expect(!found.isEmpty(), "the scanner found the key in the pushed history");
                if (stopped()) {
                    return Kit.EXIT_USAGE;
                }

                // 3. Abuse, seen by comparing the account's usage with the proxy's ledger.
                step(3, "usage shows a spike from an unknown client", "The service calls through the proxy as usual;"
                        + " someone who copied the key calls OpenAI with it directly. Every call the team makes goes"
                        + " through the proxy and lands in its ledger, so what OpenAI counts beyond the ledger comes"
                        + " from a client the team does not run.");
                service = Traffic.start(http, proxyUrl, serviceToken);
                service.awaitRequests(10);
                int burst = 0;
                for (int i = 0; i < 40; i++) {
                    burst += callDirectly(http, openai.baseUrl(), oldKey) == 200 ? 1 : 0;
                }
                service.pause();
                Thread.sleep(200); // the proxy writes its ledger line as the answer leaves: let the last one land
                long ledger = ledgerRequests(http, proxyUrl, admin);
                long atOpenAi = chatCalls(openai, oldKey);
                service.resume();
                long unknown = atOpenAi - ledger;
                out.println("  calls with key " + fingerprint(oldKey) + " this minute:");
                out.println(String.format("    %-40s %d", "counted by OpenAI (the account's usage)", atOpenAi));
                out.println(String.format("    %-40s %d", "in the proxy's ledger (" + SERVICE + ")", ledger));
                out.println(String.format("    %-40s %d", "from a client outside the proxy", unknown));
                boolean alert = unknown >= 20 && burst == 40;
                if (alert) {
                    out.println("  ALERT: " + unknown + " calls with key " + fingerprint(oldKey)
                            + " that did not come through the proxy: the key is in someone else's hands");
                }
                expect(alert, "usage showed the unknown client's spike");
                if (stopped()) {
                    return Kit.EXIT_USAGE;
                }

                // 4. Rotation through the secrets manager, with traffic going on.
                step(4, "the key is rotated while traffic continues", "A new key is issued and stored in the"
                        + " secret as AWSPENDING, tested, then promoted to AWSCURRENT; the old one stays valid for"
                        + " now. The proxy is told to read the secret again (POST /admin/rotate); the service's"
                        + " calls never stop.");
                KeyRotation rotation = KeyRotation.of(secrets, SECRET_ID, openai);
                rotation.promoteNewKey();
                String newKey = rotation.currentKey();
                HttpResponse<String> reloaded = admin(http, proxyUrl, admin, "POST", "/admin/rotate");
                out.println("  secret " + SECRET_ID + ": AWSCURRENT " + fingerprint(newKey) + ", AWSPREVIOUS "
                        + fingerprint(oldKey) + "; the proxy answered HTTP " + reloaded.statusCode() + " "
                        + reloaded.body());
                service.awaitRequests(service.total() + 10);
                expect(reloaded.statusCode() == 200 && chatCalls(openai, newKey) > 0,
                        "the service runs on the new key");
                if (stopped()) {
                    return Kit.EXIT_USAGE;
                }

                // 5. Revocation.
                step(5, "the old key is revoked and refused", "Revoked in the dashboard: the stolen copy stops working,"
                        + " and the service never noticed.");
                rotation.revokePrevious();
                int refused = 0;
                for (int i = 0; i < 5; i++) {
                    refused += callDirectly(http, openai.baseUrl(), oldKey) == 401 ? 1 : 0;
                }
                service.awaitRequests(service.total() + 10);
                service.stop();
                out.println("  service requests through the proxy: " + service.ok() + " answered, " + service.failed()
                        + " failed");
                out.println("  the old key now: " + refused + " of 5 requests refused (401)");
                expect(refused == 5, "the old key is refused");
                expect(service.ok() > 0 && service.failed() == 0, "zero failed requests for the service during rotation");
                if (stopped()) {
                    return Kit.EXIT_USAGE;
                }

                // 6. History.
                step(6, "history is cleaned", "History is rewritten without the key and force-pushed, then the shared"
                        + " repository is scanned again. Everyone re-clones; forks and caches may still hold the key,"
                        + " which is why revoking came first.");
                try (Git git = Git.open(laptop.toFile())) {
                    Files.writeString(laptop.resolve("App.java"), app("System.getenv(\"OPENAI_API_KEY\");"));
                    git.checkout().setOrphan(true).setName("clean").call();
                    git.add().addFilepattern(".").call();
                    commit(git, "weather-bot, key read from OPENAI_API_KEY");
                    git.branchDelete().setBranchNames("main").setForce(true).call();
                    git.branchRename().setOldName("clean").setNewName("main").call();
                    git.push().setRemote("origin").setRefSpecs(new RefSpec("+refs/heads/main:refs/heads/main")).call();
                }
                List<KeyScan.Hit> after = KeyScan.history(origin);
                expect(after.isEmpty(), "the shared repository's history scans clean");

                report(oldKey, newKey, unknown, refused, service);
            }
        } finally {
            if (service != null) {
                service.stop();
            }
            WorkDir.delete(scratch);
        }
        out.flush();
        return failures.isEmpty() ? Kit.EXIT_OK : Kit.EXIT_FAILED;
    }

    private void report(String oldKey, String newKey, long unknown, int refused, Traffic service) {
        out.println();
        out.println("== incident report " + "=".repeat(59));
        out.println("what      key " + fingerprint(oldKey) + " committed in App.java and pushed to the shared repository");
        out.println("found by  secret scan of the pushed history, then usage the proxy's ledger does not explain ("
                + unknown + " calls from a client outside the proxy)");
        out.println("response  rotated through the secrets manager to " + fingerprint(newKey) + " with no failed request ("
                + service.ok() + " served through the proxy), old key revoked (" + refused
                + " of 5 attempts refused), history rewritten and re-scanned");
        out.println("timeline");
        timeline.forEach(line -> out.println("  " + line));
        out.println("follow-up pre-commit hook on every machine (./kit hooks install), push protection on the server,");
        out.println("          nobody copies the key out of the secrets manager (the proxy is the way in), a spend");
        out.println("          limit and alerts per key, usage reconciled with the ledger");
        out.println(failures.isEmpty() ? "drill complete: every step reached its outcome"
                : "drill FAILED: " + String.join("; ", failures));
    }

    private void step(int number, String title, String story) {
        String time = LocalTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
        timeline.add(time + "  " + number + ". " + title);
        out.println();
        out.println("step " + number + " of 6: " + title);
        out.println("  " + story);
        out.flush();
    }

    /** Pauses for the facilitator; true when they asked to stop. */
    private boolean stopped() throws IOException {
        if (auto) {
            return false;
        }
        out.print("[Enter] next step, q to stop: ");
        out.flush();
        String line = in.readLine();
        if (line == null || line.strip().equalsIgnoreCase("q")) {
            out.println();
            out.println("drill stopped by the facilitator.");
            out.flush();
            return true;
        }
        return false;
    }

    private void expect(boolean condition, String outcome) {
        out.println("  " + (condition ? "ok: " : "NOT REACHED: ") + outcome);
        if (!condition) {
            failures.add(outcome);
        }
    }

    private static String demoKey() {
        // The kit's demo shape, so the scanner's rules see it; never a real key.
        return KeyPatterns.DEMO_PREFIX + Canary.fresh().value().substring(8, 40);
    }

    private static String fingerprint(String key) {
        return "..." + key.substring(key.length() - 4);
    }

    private static String app(String keyExpression) {
        return "public class App {\n    static final String API_KEY = " + keyExpression + "\n}\n";
    }

    private static void commit(Git git, String message) throws Exception {
        PersonIdent who = new PersonIdent("A Developer", "dev@example.invalid");
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    private static String issueServiceToken(String proxyUrl, String admin) throws IOException, InterruptedException {
        HttpResponse<String> issued = ProxyDriver.issueToken(proxyUrl, admin, SERVICE, SERVICE_GRANT);
        if (issued.statusCode() != 201) {
            throw new KitException("the proxy did not issue the service's token (HTTP " + issued.statusCode() + ")", 1);
        }
        return JSON.readTree(issued.body()).path("token").asText();
    }

    /** Requests in the proxy's ledger, all tokens together ({@code GET /admin/usage}). */
    private static long ledgerRequests(HttpClient http, String proxyUrl, String admin)
            throws IOException, InterruptedException {
        long total = 0;
        for (JsonNode token : JSON.readTree(admin(http, proxyUrl, admin, "GET", "/admin/usage").body()).path("data")) {
            total += token.path("requests").asLong();
        }
        return total;
    }

    private static HttpResponse<String> admin(HttpClient http, String proxyUrl, String admin, String method, String path)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(proxyUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + admin).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Chat calls the account answered for {@code key}: what OpenAI's usage page would count. */
    private static long chatCalls(OpenAiStub openai, String key) {
        return openai.journal().stream()
                .filter(entry -> entry.path().endsWith("/chat/completions") && key.equals(entry.bearer())).count();
    }

    /** The stranger: OpenAI's API with the copied key, no proxy in between. */
    private static int callDirectly(HttpClient http, String openAiUrl, String key) {
        return post(http, openAiUrl + "/chat/completions", key);
    }

    private static int post(HttpClient http, String url, String bearer) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(QUESTION)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The team's service: calls the proxy with its client token in a loop, a few dozen times a second. */
    static final class Traffic {
        private final AtomicInteger ok = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Semaphore gate = new Semaphore(1);
        private Thread thread;

        static Traffic start(HttpClient http, String proxyUrl, String token) {
            Traffic traffic = new Traffic();
            traffic.thread = new Thread(() -> {
                while (traffic.running.get()) {
                    traffic.gate.acquireUninterruptibly();
                    try {
                        (post(http, proxyUrl + "/v1/chat/completions", token) == 200 ? traffic.ok : traffic.failed)
                                .incrementAndGet();
                    } finally {
                        traffic.gate.release();
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "drill-service");
            traffic.thread.setDaemon(true);
            traffic.thread.start();
            return traffic;
        }

        /** Holds the service between two calls, so counts taken now add up. */
        void pause() {
            gate.acquireUninterruptibly();
        }

        void resume() {
            gate.release();
        }

        void awaitRequests(int atLeast) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (total() < atLeast && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }

        int total() {
            return ok.get() + failed.get();
        }

        int ok() {
            return ok.get();
        }

        int failed() {
            return failed.get();
        }
    }
}
