package dev.keysafe.workshop;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyPatterns;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./kit drill}: a scripted key leak, offline, in steps a facilitator can pause: the key is
 * pushed, found in history, abused by an unknown client, rotated while the team's service keeps
 * running, revoked, and removed from history; then an incident report. Each step checks its own
 * outcome, so {@code --auto} doubles as a test. Modules 05 (secrets manager) and 06 (proxy
 * monitor) will each take over a step when they land; until then the drill's own stand-ins do.
 */
@Command(name = "drill", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        usageHelpAutoWidth = true,
        description = {"A breach drill: a key leak from push to incident report, offline.",
            "",
            "In a scratch folder (deleted afterwards): a developer pushes a key; the scanner finds it in the pushed"
                    + " history; usage shows an unknown client spending with it; the key is rotated while the team's"
                    + " service keeps calling the API (zero failed requests); the old key is revoked and refused;"
                    + " history is rewritten and force-pushed, and scans clean; an incident report follows.",
            "",
            "The API is a local stand-in for an OpenAI account (127.0.0.1) that counts usage per key and client."
                    + " Without --auto the drill pauses after each step: press Enter to go on, q to stop."},
        footerHeading = "%nExamples:%n",
        footer = {"  ./kit drill           step by step, for the room", "  ./kit drill --auto    straight through", "",
            "Exit codes:", "  0   every step reached its outcome", "  1   a step did not (the report says which)",
            "  2   stopped by the facilitator (q)"})
final class DrillCommand implements Callable<Integer> {

    private static final String SERVICE = "weather-bot";
    private static final String STRANGER = "unknown-client";

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
        Path scratch = Files.createTempDirectory("keysafe-drill-");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (DrillApi api = DrillApi.start()) {
            String oldKey = demoKey();
            api.issue(oldKey);
            AtomicReference<String> serviceKey = new AtomicReference<>(oldKey);
            out.println("keysafe breach drill: scratch folder " + scratch + ", API stand-in at " + api.baseUrl());

            // 1. The push.
            step(1, "a key is committed and pushed",
                    "A developer hardcodes the account's key " + DrillApi.fingerprint(oldKey) + " in App.java, commits and"
                            + " pushes to the shared repository.");
            Path origin = scratch.resolve("origin.git");
            Path laptop = scratch.resolve("laptop");
            Git.init().setBare(true).setDirectory(origin.toFile()).setInitialBranch("main").call().close();
            try (Git git = Git.init().setDirectory(laptop.toFile()).setInitialBranch("main").call()) {
                git.remoteAdd().setName("origin").setUri(new org.eclipse.jgit.transport.URIish(origin.toString())).call();
                Files.writeString(laptop.resolve("App.java"), app("\"" + oldKey + "\""));
                git.add().addFilepattern(".").call();
                commit(git, "weather-bot: first version");
                git.push().setRemote("origin").setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main")).call();
            }
            try (Git shared = Git.open(origin.toFile())) {
                expect(shared.getRepository().resolve("refs/heads/main") != null, "the commit reached the shared repository");
            }
            if (stopped()) {
                return Kit.EXIT_USAGE;
            }

            // 2. Detection.
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

            // 3. Abuse, seen in usage.
            step(3, "usage shows a spike from an unknown client", "The team's service calls the API as usual;"
                    + " someone who copied the key calls it too. Usage per key and client shows who spends."
                    + " Module 06's monitor raises this alert by itself.");
            Traffic service = Traffic.start(http, api.baseUrl(), SERVICE, serviceKey);
            AtomicReference<String> stolen = new AtomicReference<>(oldKey);
            int burst = 0;
            for (int i = 0; i < 40; i++) {
                burst += call(http, api.baseUrl(), STRANGER, stolen.get()) == 200 ? 1 : 0;
            }
            service.awaitRequests(10);
            Map<String, Integer> usage = api.usage();
            out.println("  usage by key and client (accepted requests):");
            usage.forEach((who, count) -> out.println(String.format("    %-28s %d", who, count)));
            int strangers = usage.getOrDefault(DrillApi.fingerprint(oldKey) + " " + STRANGER, 0);
            boolean alert = strangers >= 20;
            if (alert) {
                out.println("  ALERT: " + strangers + " requests from a client this team does not run, with key "
                        + DrillApi.fingerprint(oldKey));
            }
            expect(alert, "usage showed the unknown client's spike");
            if (stopped()) {
                service.stop();
                return Kit.EXIT_USAGE;
            }

            // 4. Rotation without downtime.
            String newKey = demoKey();
            step(4, "the key is rotated while traffic continues", "A new key " + DrillApi.fingerprint(newKey)
                    + " is issued; for a while both work. The service switches to it and is verified before the old"
                    + " one goes. Module 05 does this through a secrets manager.");
            api.issue(newKey);
            int beforeSwitch = service.ok();
            serviceKey.set(newKey);
            service.awaitRequests(beforeSwitch + 10);
            boolean newKeyWorks = api.usage().getOrDefault(DrillApi.fingerprint(newKey) + " " + SERVICE, 0) > 0;
            expect(newKeyWorks, "the service runs on the new key");
            if (stopped()) {
                service.stop();
                return Kit.EXIT_USAGE;
            }

            // 5. Revocation.
            step(5, "the old key is revoked and refused", "Revoked in the dashboard: the stolen copy stops working,"
                    + " and the service never noticed.");
            api.revoke(oldKey);
            int refused = 0;
            for (int i = 0; i < 5; i++) {
                refused += call(http, api.baseUrl(), STRANGER, stolen.get()) == 401 ? 1 : 0;
            }
            service.awaitRequests(service.ok() + 10);
            service.stop();
            out.println("  service requests: " + service.ok() + " answered, " + service.failed() + " failed");
            out.println("  the old key now: " + refused + " of 5 requests refused (401)");
            expect(refused == 5, "the old key is refused");
            expect(service.failed() == 0, "zero failed requests for the service during rotation");
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

            report(oldKey, newKey, strangers, refused, service);
        } finally {
            TourCommand.deleteTree(scratch);
        }
        out.flush();
        return failures.isEmpty() ? Kit.EXIT_OK : Kit.EXIT_FAILED;
    }

    private void report(String oldKey, String newKey, int strangers, int refused, Traffic service) {
        out.println();
        out.println("== incident report " + "=".repeat(59));
        out.println("what      key " + DrillApi.fingerprint(oldKey) + " committed in App.java and pushed to the shared repository");
        out.println("found by  secret scan of the pushed history, then a usage spike (" + strangers + " requests from "
                + STRANGER + ")");
        out.println("response  rotated to " + DrillApi.fingerprint(newKey) + " with no failed request (" + service.ok()
                + " served), old key revoked (" + refused + " of 5 attempts refused), history rewritten and re-scanned");
        out.println("timeline");
        timeline.forEach(line -> out.println("  " + line));
        out.println("follow-up pre-commit hook on every machine (./kit hooks install), push protection on the server,");
        out.println("          keys from the environment or a secrets manager, a spend limit and alerts per key");
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

    private static String app(String keyExpression) {
        return "public class App {\n    static final String API_KEY = " + keyExpression + "\n}\n";
    }

    private static void commit(Git git, String message) throws Exception {
        PersonIdent who = new PersonIdent("A Developer", "dev@example.invalid");
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    static int call(HttpClient http, String baseUrl, String client, String key) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                    .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + key).header("X-Client", client)
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The team's service: calls the API in a loop with whatever key it currently holds. */
    static final class Traffic {
        private final AtomicInteger ok = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        static Traffic start(HttpClient http, String baseUrl, String client, AtomicReference<String> key) {
            Traffic traffic = new Traffic();
            traffic.thread = new Thread(() -> {
                while (traffic.running.get()) {
                    (call(http, baseUrl, client, key.get()) == 200 ? traffic.ok : traffic.failed).incrementAndGet();
                }
            }, "drill-service");
            traffic.thread.setDaemon(true);
            traffic.thread.start();
            return traffic;
        }

        void awaitRequests(int atLeast) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ok.get() + failed.get() < atLeast && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }

        int ok() {
            return ok.get();
        }

        int failed() {
            return failed.get();
        }
    }
}
