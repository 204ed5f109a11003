package dev.keysafe.workshop.drill;

import dev.keysafe.common.Fingerprint;
import dev.keysafe.testkit.secrets.KeyRotation;
import dev.keysafe.workshop.scan.KeyScan;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.URIish;

/** The drill's steps, in order, from the push to the clean history; each one checks its own outcome. */
final class DrillSteps {

    /** The team's service, as it appears in the proxy's ledger. */
    static final String SERVICE = "weather-bot";

    static final List<Step> ALL = List.of(
            new Step("a key is committed and pushed", incident -> "A developer copies the team's key "
                    + Fingerprint.of(incident.oldKey) + " out of the secrets manager to try something, hardcodes it"
                    + " in App.java, commits and pushes to the shared repository.", DrillSteps::push),
            new Step("the scanner finds it in the pushed history", incident -> "./kit scan on the shared repository"
                    + " reports it (masked). From now on, assume it was copied: anyone with read access has it.",
                    DrillSteps::detect),
            new Step("usage shows a spike from an unknown client", incident -> "The service calls through the proxy as"
                    + " usual; someone who copied the key calls OpenAI with it directly. Every call the team makes"
                    + " goes through the proxy and lands in its ledger, so what OpenAI counts beyond the ledger comes"
                    + " from a client the team does not run.", DrillSteps::abuse),
            new Step("the key is rotated while traffic continues", incident -> "A new key is issued and stored in the"
                    + " secret as AWSPENDING, tested, then promoted to AWSCURRENT; the old one stays valid for"
                    + " now. The proxy is told to read the secret again (POST /admin/rotate); the service's"
                    + " calls never stop.", DrillSteps::rotate),
            new Step("the old key is revoked and refused", incident -> "Revoked in the dashboard: the stolen copy stops"
                    + " working, and the service never noticed.", DrillSteps::revoke),
            new Step("history is cleaned", incident -> "History is rewritten without the key and force-pushed, then the"
                    + " shared repository is scanned again. Everyone re-clones; forks and caches may still hold the"
                    + " key, which is why revoking came first.", DrillSteps::cleanHistory));

    private DrillSteps() {
    }

    /** 1. The push. */
    private static void push(Incident incident) throws Exception {
        Git.init().setBare(true).setDirectory(incident.origin.toFile()).setInitialBranch("main").call().close();
        try (Git git = Git.init().setDirectory(incident.laptop.toFile()).setInitialBranch("main").call()) {
            git.remoteAdd().setName("origin").setUri(new URIish(incident.origin.toString())).call();
            Files.writeString(incident.laptop.resolve("App.java"), app("\"" + incident.oldKey + "\";"));
            git.add().addFilepattern(".").call();
            commit(git, "weather-bot: try the API from my laptop");
            git.push().setRemote("origin").setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main")).call();
        }
        try (Git shared = Git.open(incident.origin.toFile())) {
            incident.expect(shared.getRepository().resolve("refs/heads/main") != null,
                    "the commit reached the shared repository");
        }
    }

    /** 2. Detection in the repository. */
    private static void detect(Incident incident) {
        List<KeyScan.Hit> found = KeyScan.history(incident.origin);
        for (KeyScan.Hit hit : found) {
            incident.out.println("  scan: " + hit);
        }
        incident.expect(!found.isEmpty(), "the scanner found the key in the pushed history");
    }

    /** 3. Abuse, seen by comparing the account's usage with the proxy's ledger. */
    private static void abuse(Incident incident) throws Exception {
        incident.service = Traffic.start(incident.http, incident.proxyUrl, incident.serviceToken);
        incident.service.awaitRequests(10);
        int burst = 0;
        for (int i = 0; i < 40; i++) {
            burst += incident.callDirectly(incident.oldKey) == 200 ? 1 : 0;
        }
        incident.service.pause();
        Thread.sleep(200); // the proxy writes its ledger line as the answer leaves: let the last one land
        long ledger = incident.ledgerRequests();
        long atOpenAi = incident.chatCalls(incident.oldKey);
        incident.service.resume();
        incident.unknown = atOpenAi - ledger;
        String key = Fingerprint.of(incident.oldKey);
        incident.out.println("  calls with key " + key + " this minute:");
        incident.out.println(String.format("    %-40s %d", "counted by OpenAI (the account's usage)", atOpenAi));
        incident.out.println(String.format("    %-40s %d", "in the proxy's ledger (" + SERVICE + ")", ledger));
        incident.out.println(String.format("    %-40s %d", "from a client outside the proxy", incident.unknown));
        boolean alert = incident.unknown >= 20 && burst == 40;
        if (alert) {
            incident.out.println("  ALERT: " + incident.unknown + " calls with key " + key
                    + " that did not come through the proxy: the key is in someone else's hands");
        }
        incident.expect(alert, "usage showed the unknown client's spike");
    }

    /** 4. Rotation through the secrets manager, with traffic going on. */
    private static void rotate(Incident incident) throws Exception {
        incident.rotation = KeyRotation.of(incident.secrets, incident.secretId, incident.openai);
        incident.rotation.promoteNewKey();
        incident.newKey = incident.rotation.currentKey();
        HttpResponse<String> reloaded = incident.admin("POST", "/admin/rotate");
        incident.out.println("  secret " + incident.secretId + ": AWSCURRENT " + Fingerprint.of(incident.newKey)
                + ", AWSPREVIOUS " + Fingerprint.of(incident.oldKey) + "; the proxy answered HTTP "
                + reloaded.statusCode() + " " + reloaded.body());
        incident.service.awaitRequests(incident.service.total() + 10);
        incident.expect(reloaded.statusCode() == 200 && incident.chatCalls(incident.newKey) > 0,
                "the service runs on the new key");
    }

    /** 5. Revocation. */
    private static void revoke(Incident incident) throws Exception {
        incident.rotation.revokePrevious();
        int refused = 0;
        for (int i = 0; i < 5; i++) {
            refused += incident.callDirectly(incident.oldKey) == 401 ? 1 : 0;
        }
        incident.refused = refused;
        Traffic service = incident.service;
        service.awaitRequests(service.total() + 10);
        service.stop();
        incident.out.println("  service requests through the proxy: " + service.ok() + " answered, " + service.failed()
                + " failed");
        incident.out.println("  the old key now: " + refused + " of 5 requests refused (401)");
        incident.expect(refused == 5, "the old key is refused");
        incident.expect(service.ok() > 0 && service.failed() == 0,
                "zero failed requests for the service during rotation");
    }

    /** 6. History. */
    private static void cleanHistory(Incident incident) throws Exception {
        try (Git git = Git.open(incident.laptop.toFile())) {
            Files.writeString(incident.laptop.resolve("App.java"), app("System.getenv(\"OPENAI_API_KEY\");"));
            git.checkout().setOrphan(true).setName("clean").call();
            git.add().addFilepattern(".").call();
            commit(git, "weather-bot, key read from OPENAI_API_KEY");
            git.branchDelete().setBranchNames("main").setForce(true).call();
            git.branchRename().setOldName("clean").setNewName("main").call();
            git.push().setRemote("origin").setRefSpecs(new RefSpec("+refs/heads/main:refs/heads/main")).call();
        }
        List<KeyScan.Hit> after = KeyScan.history(incident.origin);
        incident.expect(after.isEmpty(), "the shared repository's history scans clean");
    }

    private static String app(String keyExpression) {
        return "public class App {\n    static final String API_KEY = " + keyExpression + "\n}\n";
    }

    private static void commit(Git git, String message) throws Exception {
        PersonIdent who = new PersonIdent("A Developer", "dev@example.invalid");
        git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }
}
