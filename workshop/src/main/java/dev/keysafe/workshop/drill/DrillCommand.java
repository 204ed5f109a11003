package dev.keysafe.workshop.drill;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Fingerprint;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.ModuleBuild;
import dev.keysafe.workshop.ProxyDriver;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.shared.CallerEnvironment;
import dev.keysafe.workshop.shared.ServerProcess;
import dev.keysafe.workshop.shared.WorkDir;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
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
            "  64  stopped by the facilitator (q)"})
public final class DrillCommand implements Callable<Integer> {

    private static final String SECRET_ID = SecretsManagerEmulator.DEMO_SECRET_ID;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Workspace workspace;

    @Spec
    CommandSpec spec;

    @Option(names = "--auto", description = "Run straight through without pausing.")
    boolean auto;

    DrillCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        BufferedReader in = workspace.answers();
        ModuleBuild proxyBuild = workspace.catalog().build(workspace.catalog().require("06"));
        Path scratch = Files.createTempDirectory("keysafe-drill-");
        Incident incident = null;
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
                    throw new KitException("module 06, the team's proxy, did not start: " + proxy.stderr().strip(),
                            ExitCode.FAILED);
                }
                incident = new Incident(out, scratch, openai, secrets, SECRET_ID, url.get(), admin,
                        issueServiceToken(url.get(), admin), oldKey);
                out.println("the team's service, " + DrillSteps.SERVICE + ", calls OpenAI only through its proxy"
                        + " (module 06) at " + url.get() + "; the proxy reads the key from the secret " + SECRET_ID + ".");
                if (!runSteps(incident, in)) {
                    return ExitCode.KIT_USAGE;
                }
                report(incident);
            }
        } finally {
            if (incident != null && incident.service != null) {
                incident.service.stop();
            }
            WorkDir.delete(scratch);
        }
        out.flush();
        return incident.failures.isEmpty() ? ExitCode.OK : ExitCode.FAILED;
    }

    /** Runs every step in order, pausing after each but the last; false when the facilitator stopped it. */
    private boolean runSteps(Incident incident, BufferedReader in) throws Exception {
        List<Step> steps = DrillSteps.ALL;
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            incident.begin(i + 1, steps.size(), step.title(), step.story().apply(incident));
            step.action().run(incident);
            if (i < steps.size() - 1 && stopped(incident.out, in)) {
                return false;
            }
        }
        return true;
    }

    /** Pauses for the facilitator; true when they asked to stop. */
    private boolean stopped(PrintWriter out, BufferedReader in) throws IOException {
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

    private static void report(Incident incident) {
        PrintWriter out = incident.out;
        out.println();
        out.println("== incident report " + "=".repeat(59));
        out.println("what      key " + Fingerprint.of(incident.oldKey)
                + " committed in App.java and pushed to the shared repository");
        out.println("found by  secret scan of the pushed history, then usage the proxy's ledger does not explain ("
                + incident.unknown + " calls from a client outside the proxy)");
        out.println("response  rotated through the secrets manager to " + Fingerprint.of(incident.newKey)
                + " with no failed request (" + incident.service.ok() + " served through the proxy), old key revoked ("
                + incident.refused + " of 5 attempts refused), history rewritten and re-scanned");
        out.println("timeline");
        incident.timeline.forEach(line -> out.println("  " + line));
        out.println("follow-up pre-commit hook on every machine (./kit hooks install), push protection on the server,");
        out.println("          nobody copies the key out of the secrets manager (the proxy is the way in), a spend");
        out.println("          limit and alerts per key, usage reconciled with the ledger");
        out.println(incident.failures.isEmpty() ? "drill complete: every step reached its outcome"
                : "drill FAILED: " + String.join("; ", incident.failures));
    }

    private static String demoKey() {
        // The kit's demo shape, so the scanner's rules see it; never a real key.
        return KeyPatterns.DEMO_PREFIX + Canary.fresh().value().substring(8, 40);
    }

    /** The service's token: any number of calls a minute, a budget the drill cannot spend. */
    private static String issueServiceToken(String proxyUrl, String admin) throws IOException, InterruptedException {
        HttpResponse<String> issued = ProxyDriver.issueToken(proxyUrl, admin,
                ProxyDriver.grant(DrillSteps.SERVICE, 100, 1_000_000));
        if (issued.statusCode() != 201) {
            throw new KitException("the proxy did not issue the service's token (HTTP " + issued.statusCode() + ")",
                    ExitCode.FAILED);
        }
        return Json.MAPPER.readTree(issued.body()).path("token").asText();
    }
}
