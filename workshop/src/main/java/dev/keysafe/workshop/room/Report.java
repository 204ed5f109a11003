package dev.keysafe.workshop.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.workshop.lab.LabEvent.Step;
import dev.keysafe.workshop.room.Room.Refusal;
import dev.keysafe.workshop.room.Room.Refused;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One progress event as the room accepts it: a lab, a step, a time, a hint's number, and for a
 * solve the check's version and a digest. Any other field is refused, so nothing else (code,
 * output, a key, a path) can ride along, even from a kit that was changed to send it.
 *
 * @param lab          a lab number the room knows
 * @param step         started, hint or solved
 * @param hint         the hint's number for a hint; else 0
 * @param checkVersion for a solve, the version of the check that passed; else null
 * @param digest       for a solve, 64 hex digits; else null
 */
record Report(String lab, Step step, int hint, String checkVersion, String digest) {

    static final Set<String> FIELDS = Set.of("lab", "step", "hint", "at", "check_version", "digest");
    static final int MAX_HINT = 99;

    /** {@code body} checked field by field; a {@link Refused} names the field and what it must be. */
    static Report from(ObjectNode body, List<String> labIds) throws Refused {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw bad("The field '" + shown(name) + "' is not accepted: an event has only lab, step, at, "
                        + "hint (for a hint) and check_version and digest (for a solve).");
            }
        }
        String lab = text(body, "lab");
        if (lab == null || !labIds.contains(lab)) {
            throw bad("'lab' must be one of the kit's lab numbers: " + String.join(", ", labIds) + ".");
        }
        Step step = step(text(body, "step"));
        String at = text(body, "at");
        try {
            Instant.parse(at == null ? "" : at);
        } catch (DateTimeParseException e) {
            throw bad("'at' must be a time such as 2025-01-31T09:30:00Z.");
        }
        int hint = 0;
        if (step == Step.HINT) {
            JsonNode number = body.get("hint");
            if (number == null || !number.isInt() || number.intValue() < 1 || number.intValue() > MAX_HINT) {
                throw bad("'hint' must be the hint's number, 1 to " + MAX_HINT + ".");
            }
            hint = number.intValue();
        } else if (body.has("hint")) {
            throw bad("'hint' belongs to a hint event only.");
        }
        String checkVersion = null;
        String digest = null;
        if (step == Step.SOLVED) {
            checkVersion = text(body, "check_version");
            digest = text(body, "digest");
            if (checkVersion == null || !checkVersion.matches("[A-Za-z0-9._+-]{1,40}")) {
                throw bad("'check_version' must be the kit's version, such as 0.1.0 (letters, digits, . _ + -).");
            }
            if (digest == null || !digest.matches("[0-9a-f]{64}")) {
                throw bad("'digest' must be a SHA-256 digest: 64 lower-case hex digits.");
            }
        } else if (body.has("check_version") || body.has("digest")) {
            throw bad("'check_version' and 'digest' belong to a solved event only.");
        }
        return new Report(lab, step, hint, checkVersion, digest);
    }

    private static Step step(String word) throws Refused {
        for (Step step : Step.values()) {
            if (step.word().equals(word)) {
                return step;
            }
        }
        throw bad("'step' must be started, hint or solved.");
    }

    private static String text(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    /** A field name quoted back: short and printable, since it came from outside. */
    private static String shown(String name) {
        String printable = name.replaceAll("[^A-Za-z0-9_.-]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }

    private static Refused bad(String message) {
        return new Refused(Refusal.BAD_INPUT, message);
    }
}
