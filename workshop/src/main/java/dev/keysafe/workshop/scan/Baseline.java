package dev.keysafe.workshop.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.KitException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A baseline: the findings a team has accepted (already revoked, or known fixtures), recorded by
 * {@link KeyScan.Hit#fingerprint()} so the file holds no key, not even masked. With it, a scan
 * reports only what is new, and an old repository can adopt the scanner without {@code --no-verify}.
 */
final class Baseline {

    static final String FORMAT = "keysafe-baseline";
    private static final String ABOUT = "Findings accepted with ./kit scan --write-baseline. Each fingerprint is the"
            + " SHA-256 of the rule, the file and the key's own SHA-256: never the key. ./kit scan --baseline THIS_FILE"
            + " reports only findings not listed here; rule, file and line are for the reader.";

    private Baseline() {
    }

    /** The fingerprints in {@code file}; a clear one-line error (exit 2) when it is missing, unreadable or not a baseline. */
    static Set<String> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new KitException("baseline " + file + " does not exist. Make one with ./kit scan --write-baseline "
                    + file + ", or leave out --baseline.", ExitCode.CONFIG);
        } catch (IOException e) {
            throw new KitException("cannot read the baseline " + file + " (" + e.getClass().getSimpleName()
                    + "). Check that it is a readable file.", ExitCode.CONFIG);
        }
        try {
            JsonNode root = Json.read(text);
            if (!root.isObject() || !FORMAT.equals(root.path("format").asText()) || !root.path("findings").isArray()) {
                throw malformed(file, "no \"format\": \"" + FORMAT + "\" and \"findings\" list");
            }
            Set<String> fingerprints = new LinkedHashSet<>();
            for (JsonNode finding : root.path("findings")) {
                String fingerprint = finding.path("fingerprint").asText("");
                if (!fingerprint.matches("[0-9a-f]{64}")) {
                    throw malformed(file, "a finding without a 64-digit hex fingerprint");
                }
                fingerprints.add(fingerprint);
            }
            return fingerprints;
        } catch (Json.Malformed e) {
            throw malformed(file, "not valid JSON");
        }
    }

    /** Writes today's findings to {@code file}, one entry per fingerprint; returns how many. */
    static int write(Path file, List<KeyScan.Hit> hits) {
        Map<String, KeyScan.Hit> unique = new LinkedHashMap<>();
        for (KeyScan.Hit hit : hits) {
            unique.putIfAbsent(hit.fingerprint(), hit);
        }
        ObjectNode root = Json.object().put("format", FORMAT).put("version", 1).put("about", ABOUT);
        ArrayNode findings = root.putArray("findings");
        for (KeyScan.Hit hit : unique.values()) {
            findings.addObject().put("fingerprint", hit.fingerprint()).put("rule", hit.ruleId())
                    .put("file", hit.file()).put("line", hit.line()).put("place", hit.place());
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, Json.writePretty(root) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KitException("cannot write the baseline " + file + " (" + e.getClass().getSimpleName()
                    + "). Give a path in a folder you can write to.", ExitCode.CONFIG);
        }
        return unique.size();
    }

    private static KitException malformed(Path file, String what) {
        return new KitException("baseline " + file + " is not a keysafe baseline (" + what + "). Make a new one with"
                + " ./kit scan --write-baseline " + file + ".", ExitCode.CONFIG);
    }
}
