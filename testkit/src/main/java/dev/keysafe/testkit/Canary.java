package dev.keysafe.testkit;

import dev.keysafe.common.Fingerprint;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A fake API key made fresh at run time, planted in a module so the detectors can tell where it
 * went. It is shaped like a modern project key ({@code sk-proj-...}) but never carries the marker
 * real keys have, so no secret scanner mistakes it for one, and it is never committed.
 *
 * <p>A key can escape in disguise, so a canary is searched in every form it can take: plain,
 * base64 (at every byte alignment), URL-encoded, JSON-escaped, split across a line break, and the
 * masked form OpenAI's own 401 body uses (first 8 characters, asterisks, last 4).
 */
public final class Canary implements Needle {

    private static final String ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Canary THIS_RUN = fresh();

    private final String value;
    private final Map<String, String> literalForms;
    private final Pattern masked;

    private Canary(String value) {
        this.value = value;
        this.literalForms = literalForms(value);
        this.masked = Pattern.compile(Pattern.quote(value.substring(0, 8)) + "\\*+"
                + Pattern.quote(value.substring(value.length() - 4)));
    }

    /** A new canary, different from every other one. */
    public static Canary fresh() {
        while (true) {
            StringBuilder key = new StringBuilder("sk-proj-");
            for (int i = 0; i < 64; i++) {
                key.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
            }
            Canary canary = new Canary(key.toString());
            if (!KeyPatterns.hasRealMarker(canary.value)) {
                return canary;
            }
        }
    }

    /** The canary of this test run, shared by every test class in one JVM. */
    public static Canary forThisRun() {
        return THIS_RUN;
    }

    /** Wraps a known fake key (module 01's, say) so the same detectors can look for it. */
    public static Canary of(String knownFakeKey) {
        if (knownFakeKey.length() < 16) {
            throw new IllegalArgumentException("a key to search for needs at least 16 characters");
        }
        if (KeyPatterns.hasRealMarker(knownFakeKey)) {
            throw new IllegalArgumentException("refusing a string shaped like a real OpenAI key");
        }
        return new Canary(knownFakeKey);
    }

    /** The key itself: only for planting it where the module under test expects it. */
    public String value() {
        return value;
    }

    /** The masked form OpenAI's 401 body echoes: first 8 characters, {@code ***}, last 4. */
    public String maskedForm() {
        return mask(value);
    }

    /** OpenAI's masking of any bearer it was sent. */
    public static String mask(String key) {
        if (key.length() <= 12) {
            return "***";
        }
        return key.substring(0, 8) + "***" + key.substring(key.length() - 4);
    }

    /** The last four characters, which is all a log line or a report may show of a key. */
    public String fingerprint() {
        return Fingerprint.of(value);
    }

    /** Every literal form the key can take, by name; masked and split forms are matched apart. */
    public Map<String, String> searchForms() {
        Map<String, String> forms = new LinkedHashMap<>(literalForms);
        int half = value.length() / 2;
        forms.put("split across a line", value.substring(0, half) + "\n" + value.substring(half));
        forms.put("masked (OpenAI 401 echo)", maskedForm());
        return forms;
    }

    @Override
    public List<String> formsIn(String text) {
        List<String> found = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return found;
        }
        for (Map.Entry<String, String> form : literalForms.entrySet()) {
            if (text.contains(form.getValue())) {
                found.add(form.getKey());
            }
        }
        if (found.isEmpty() && joinLines(text).contains(value)) {
            found.add("split across a line");
        }
        if (masked.matcher(text).find()) {
            found.add("masked (OpenAI 401 echo)");
        }
        return found;
    }

    /** Never the key: a canary in a test report or an assertion message shows its fingerprint. */
    @Override
    public String toString() {
        return "Canary[" + fingerprint() + "]";
    }

    private static Map<String, String> literalForms(String value) {
        Map<String, String> forms = new LinkedHashMap<>();
        forms.put("plain", value);
        String urlEncoded = java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
        forms.putIfAbsent("URL-encoded", urlEncoded);
        String jsonEscaped = value.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/");
        forms.putIfAbsent("JSON-escaped", jsonEscaped);
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (int shift = 0; shift < 3; shift++) {
            forms.put("base64 (offset " + shift + ")", base64Core(bytes, shift, Base64.getEncoder()));
            forms.put("base64url (offset " + shift + ")", base64Core(bytes, shift, Base64.getUrlEncoder()));
        }
        // identical strings under two names would report one leak twice
        Map<String, String> distinct = new LinkedHashMap<>();
        forms.forEach((name, form) -> {
            if (!distinct.containsValue(form)) {
                distinct.put(name, form);
            }
        });
        return distinct;
    }

    /**
     * The part of the base64 encoding that stays the same wherever the key sits in a larger
     * encoded blob: the key preceded by {@code shift} other bytes, whole 3-byte groups only.
     */
    private static String base64Core(byte[] key, int shift, Base64.Encoder encoder) {
        byte[] shifted = new byte[shift + key.length];
        System.arraycopy(key, 0, shifted, shift, key.length);
        String encoded = encoder.withoutPadding().encodeToString(shifted);
        int firstGroup = shift == 0 ? 0 : 1;
        int lastGroup = shifted.length / 3;
        return encoded.substring(firstGroup * 4, lastGroup * 4);
    }

    private static String joinLines(String text) {
        return text.replaceAll("[\\r\\n]+[ \\t]*", "");
    }
}
