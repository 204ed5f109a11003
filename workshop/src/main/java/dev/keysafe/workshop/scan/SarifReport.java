package dev.keysafe.workshop.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.KeyRule;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * The scan as a SARIF 2.1.0 log, the format code-scanning services take (GitHub's
 * {@code upload-sarif}, GitLab, Azure DevOps): every rule described in {@code tool.driver.rules},
 * one result per finding with its rule, file and line, the value masked, and a fingerprint that
 * holds no key so the service follows one finding across runs.
 */
final class SarifReport {

    static final String SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
    /** The symbol SARIF viewers resolve paths against: the repository's top (the scanned folder outside git). */
    static final String SRCROOT = "%SRCROOT%";
    /** The key of {@code partialFingerprints}; versioned so a change of fingerprint cannot match old alerts. */
    static final String FINGERPRINT = "keysafeFinding/v1";

    private SarifReport() {
    }

    static ObjectNode of(ScanRun.Outcome outcome) {
        ObjectNode root = Json.object().put("$schema", SCHEMA).put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver").put("name", "keysafe")
                .put("version", ScanRun.version())
                .put("informationUri", outcome.kitRoot().resolve("workshop/SCAN.md").toUri().toString());
        List<KeyRule> rules = KeyPatterns.rules();
        ArrayNode descriptors = driver.putArray("rules");
        for (KeyRule rule : rules) {
            ObjectNode descriptor = descriptors.addObject().put("id", rule.id()).put("name", rule.name());
            descriptor.putObject("shortDescription").put("text", rule.name() + " found");
            descriptor.putObject("fullDescription").put("text", rule.help());
            descriptor.putObject("help").put("text", rule.help() + " Accepting a finding: a keysafe:allow comment with"
                    + " its reason on the line, or a baseline (workshop/SCAN.md).");
            descriptor.putObject("defaultConfiguration").put("level", "error");
            ObjectNode properties = descriptor.putObject("properties").put("precision", "high")
                    .put("security-severity", "9.0");
            properties.putArray("tags").add("security").add("secrets");
        }
        run.putObject("originalUriBaseIds").putObject(SRCROOT)
                .put("uri", KeyScan.pathsRelativeTo(outcome.dir()).toUri().toString());
        ArrayNode results = run.putArray("results");
        for (KeyScan.Hit hit : outcome.triage().reported()) {
            result(results.addObject(), hit, indexOf(rules, hit.ruleId()));
        }
        return root;
    }

    private static void result(ObjectNode result, KeyScan.Hit hit, int ruleIndex) {
        int entry = hit.file().indexOf("!/");
        // Inside an archive: the archive is the file in the repository; the entry and its line go in the message.
        String file = entry < 0 ? hit.file() : hit.file().substring(0, entry);
        result.put("ruleId", hit.ruleId()).put("ruleIndex", ruleIndex).put("level", "error");
        result.putObject("message").put("text", hit.rule() + " (" + hit.masked() + ") in "
                + (hit.commit() == null ? hit.place() : "commit " + hit.commit()) + " at " + hit.where()
                + ". Treat it as leaked: revoke it, make a new one, and read it from the environment or a secrets"
                + " manager.");
        ObjectNode location = result.putArray("locations").addObject().putObject("physicalLocation");
        location.putObject("artifactLocation").put("uri", uri(file)).put("uriBaseId", SRCROOT);
        location.putObject("region").put("startLine", entry < 0 ? hit.line() : 1);
        result.putObject("partialFingerprints").put(FINGERPRINT, hit.fingerprint());
        ObjectNode properties = result.putObject("properties").put("place", hit.place()).put("masked", hit.masked());
        if (hit.commit() != null) {
            properties.put("commit", hit.commit());
        }
        if (hit.encoding() != null) {
            properties.put("encoding", hit.encoding());
        }
        if (entry >= 0) {
            properties.put("archiveEntry", hit.file().substring(entry + 2)).put("archiveEntryLine", hit.line());
        }
    }

    /** A repository path as a relative URI reference: each character a URI cannot hold percent-encoded. */
    static String uri(String path) {
        try {
            String encoded = new URI(null, null, path, null).toASCIIString();
            int colon = encoded.indexOf(':');
            int slash = encoded.indexOf('/');
            // "a:b/c" would read as a URI with the scheme "a"; "./a:b/c" cannot.
            return colon >= 0 && (slash < 0 || colon < slash) ? "./" + encoded : encoded;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a path: " + path, e);
        }
    }

    private static int indexOf(List<KeyRule> rules, String id) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).id().equals(id)) {
                return i;
            }
        }
        throw new IllegalStateException("no rule " + id);
    }
}
