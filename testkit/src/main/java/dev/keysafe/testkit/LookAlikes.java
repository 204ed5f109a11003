package dev.keysafe.testkit;

import java.util.List;
import java.util.Locale;

/**
 * The checks that tell a random key from a string that only has a key's shape: a placeholder
 * ({@code xxxx}, {@code YOUR_KEY}, {@code changeme}), a documented example ({@code ...EXAMPLE}), a
 * made-up sequence ({@code abcdef}, {@code 123456}). A real key is random, so it has none of these
 * and its characters spread evenly; each check below misses a real key with odds under 1 in 10,000.
 */
final class LookAlikes {

    /**
     * Words that mark a placeholder. Only words of four letters and more, and "your": a random key
     * holds a given four-letter word about once in a million characters.
     */
    private static final List<String> PLACEHOLDER_WORDS = List.of(
            "example", "sample", "dummy", "placeholder", "redacted", "changeme", "replace", "insert",
            "your", "xxxx");

    private LookAlikes() {
    }

    /**
     * True when {@code body} (the random part of a key, after its fixed prefix) could be a real
     * key's: long enough, no placeholder word, no long run of one character or of consecutive
     * characters, and its characters spread like a random string's.
     */
    static boolean random(String body) {
        if (body.length() < 10) {
            return false;
        }
        String lower = body.toLowerCase(Locale.ROOT);
        for (String word : PLACEHOLDER_WORDS) {
            if (lower.contains(word)) {
                return false;
            }
        }
        // A run of 4 happens by chance in a long key (odds about 1 in 2,000); a run of 5 hardly ever.
        return longestRepeat(body) <= 4
                && longestSequence(body) <= 4
                && entropy(body) >= 0.7 * log2(Math.min(body.length(), 64));
    }

    /** True when {@code text} holds upper- and lower-case letters and a digit, as random base64 does. */
    static boolean mixedCase(String text) {
        return text.chars().anyMatch(Character::isUpperCase) && text.chars().anyMatch(Character::isLowerCase)
                && text.chars().anyMatch(Character::isDigit);
    }

    /** Shannon entropy of the characters of {@code text}, in bits per character. */
    static double entropy(String text) {
        int[] counts = new int[128];
        int other = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double bits = 0;
        for (int count : counts) {
            bits += term(count, text.length());
        }
        return bits + term(other, text.length());
    }

    private static double term(int count, int length) {
        if (count == 0) {
            return 0;
        }
        double p = (double) count / length;
        return -p * log2(p);
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** The longest run of one character ({@code xxxx} is 4). */
    private static int longestRepeat(String text) {
        int longest = 1;
        int run = 1;
        for (int i = 1; i < text.length(); i++) {
            run = text.charAt(i) == text.charAt(i - 1) ? run + 1 : 1;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    /** The longest run of consecutive characters, up or down ({@code abcde} and {@code 54321} are 5). */
    private static int longestSequence(String text) {
        int longest = 1;
        int up = 1;
        int down = 1;
        for (int i = 1; i < text.length(); i++) {
            int step = text.charAt(i) - text.charAt(i - 1);
            up = step == 1 ? up + 1 : 1;
            down = step == -1 ? down + 1 : 1;
            longest = Math.max(longest, Math.max(up, down));
        }
        return longest;
    }
}
