package dev.keysafe.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key shapes a secret scanner looks for: OpenAI's real formats (public scanner rules) and
 * the kit's own demo format, which module 01 hardcodes. Used where no canary can exist: source
 * files, jar bytes and git history.
 */
public final class KeyPatterns implements Needle {

    /** Real OpenAI keys carry this marker (base64 of "OpenAI"); built here so no file holds it whole. */
    public static final String REAL_MARKER = "T3Blbk" + "FJ";

    /** The kit's demo keys: obviously fake, never the real marker, found by the kit's scanner. */
    public static final String DEMO_PREFIX = "sk-keysafe-demo-";

    private static final Map<String, Pattern> RULES = new LinkedHashMap<>();

    static {
        RULES.put("OpenAI project/service/admin key", Pattern.compile(
                "sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{10,}" + REAL_MARKER + "[A-Za-z0-9_-]{10,}"));
        RULES.put("OpenAI legacy key", Pattern.compile(
                "sk-[A-Za-z0-9]{20}" + REAL_MARKER + "[A-Za-z0-9]{20}"));
        RULES.put("keysafe demo key", Pattern.compile(Pattern.quote(DEMO_PREFIX) + "[A-Za-z0-9]{32}"));
    }

    private static final KeyPatterns ALL = new KeyPatterns();

    private KeyPatterns() {
    }

    /** Every rule: real OpenAI formats and the kit's demo format. */
    public static KeyPatterns all() {
        return ALL;
    }

    /** True when {@code text} holds the marker of a real OpenAI key. */
    public static boolean hasRealMarker(String text) {
        return text.contains(REAL_MARKER);
    }

    @Override
    public List<String> formsIn(String text) {
        List<String> found = new ArrayList<>();
        RULES.forEach((name, rule) -> {
            if (rule.matcher(text).find()) {
                found.add(name);
            }
        });
        return found;
    }

    /** Each match in {@code text}: the rule's name, the line number, and the value masked. */
    public List<Match> matches(String text) {
        List<Match> matches = new ArrayList<>();
        RULES.forEach((name, rule) -> {
            Matcher m = rule.matcher(text);
            while (m.find()) {
                int line = 1 + (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count();
                matches.add(new Match(name, line, Canary.mask(m.group())));
            }
        });
        return matches;
    }

    /** One key-shaped string found: which rule, where, and the masked value (never the whole). */
    public record Match(String rule, int line, String masked) {
    }

    @Override
    public String toString() {
        return "KeyPatterns" + RULES.keySet();
    }
}
