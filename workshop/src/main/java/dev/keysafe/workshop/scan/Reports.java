package dev.keysafe.workshop.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The two reports a person or a script reads: text (the default, for a terminal and the hook)
 * and JSON (for scripts). Both show each value masked, never whole. SARIF is {@link SarifReport}.
 */
final class Reports {

    /** What a hook or a reader is told about an allow comment without a reason. */
    static final String BARE_ALLOW = "keysafe:allow without a reason does not count: say why after it"
            + " (// keysafe:allow demo key of the negative control)";

    private Reports() {
    }

    /** The text report: one line per finding, a count, and what to do. */
    static void text(ScanRun.Outcome outcome, PrintWriter out) {
        Triage triage = outcome.triage();
        out.println("keysafe scan: " + outcome.dir() + " (" + outcome.scope().label + ")");
        for (KeyScan.Hit hit : triage.reported()) {
            out.println("  " + hit);
            if ("".equals(hit.allow())) {
                out.println("    " + BARE_ALLOW);
            }
        }
        String accepted = accepted(outcome);
        if (triage.reported().isEmpty()) {
            out.println(accepted.isEmpty() ? "clean: no key-shaped string found."
                    : "clean: nothing new to act on (accepted: " + accepted + "; --format json lists them).");
            return;
        }
        Set<String> files = new LinkedHashSet<>();
        Set<String> commits = new LinkedHashSet<>();
        for (KeyScan.Hit hit : triage.reported()) {
            files.add(hit.file());
            if (hit.commit() != null) {
                commits.add(hit.commit());
            }
        }
        long inHistory = triage.reported().stream().filter(hit -> hit.commit() != null).count();
        out.println("found " + triage.reported().size() + " key-shaped string(s) in " + files.size() + " file(s)"
                + (inHistory == 0 ? "" : ", " + inHistory + " of them in git history") + ".");
        if (!accepted.isEmpty()) {
            out.println("not reported: " + accepted + ".");
        }
        if (outcome.scope() == ScanRun.Scope.STAGED) {
            out.println("Commit blocked: it would add a key-shaped string. Remove it and read the key from an"
                    + " environment variable instead (OPENAI_API_KEY, see 02-env-vars), then git add again.");
            out.println("Only if this is a false positive (not a key): git commit --no-verify, or mark the line"
                    + " with a keysafe:allow comment and its reason.");
        } else {
            out.println("Treat each as leaked: revoke the key and make a new one, remove it from the code (use an"
                    + " environment variable), and clean git history (the scanning lab shows how: ./kit lab list).");
        }
    }

    /** The JSON report: every finding, the allowed ones with their reasons, and the exit code. */
    static ObjectNode json(ScanRun.Outcome outcome) {
        Triage triage = outcome.triage();
        ObjectNode root = Json.object().put("tool", "keysafe").put("version", ScanRun.version())
                .put("scanned", outcome.dir().toString()).put("scope", outcome.scope().label);
        ArrayNode findings = root.putArray("findings");
        for (KeyScan.Hit hit : triage.reported()) {
            ObjectNode finding = finding(findings.addObject(), hit);
            if ("".equals(hit.allow())) {
                finding.put("note", BARE_ALLOW);
            }
        }
        ArrayNode allowed = root.putArray("allowed");
        for (Triage.Allowed each : triage.allowed()) {
            finding(allowed.addObject(), each.hit()).put("reason", each.reason()).put("allowedAt", each.allowedAt());
        }
        root.put("baselined", triage.baselined().size());
        if (outcome.baseline() != null) {
            root.put("baseline", outcome.baseline().toString());
        }
        root.put("exitCode", outcome.exitCode());
        return root;
    }

    private static ObjectNode finding(ObjectNode node, KeyScan.Hit hit) {
        node.put("ruleId", hit.ruleId()).put("rule", hit.rule()).put("place", hit.place());
        if (hit.commit() != null) {
            node.put("commit", hit.commit());
        }
        node.put("file", hit.file()).put("line", hit.line());
        if (hit.encoding() != null) {
            node.put("encoding", hit.encoding());
        }
        return node.put("where", hit.where()).put("masked", hit.masked()).put("fingerprint", hit.fingerprint());
    }

    /** "2 allowed by keysafe:allow comments, 1 in the baseline (b.json)", or "" when nothing was accepted. */
    static String accepted(ScanRun.Outcome outcome) {
        Triage triage = outcome.triage();
        StringBuilder text = new StringBuilder();
        if (!triage.allowed().isEmpty()) {
            text.append(triage.allowed().size()).append(" allowed by keysafe:allow comment")
                    .append(triage.allowed().size() == 1 ? "" : "s");
        }
        if (!triage.baselined().isEmpty()) {
            text.append(text.isEmpty() ? "" : ", ").append(triage.baselined().size()).append(" in the baseline (")
                    .append(outcome.baseline()).append(')');
        }
        return text.toString();
    }
}
