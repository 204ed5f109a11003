package dev.keysafe.workshop.scan;

import dev.keysafe.testkit.KeyPatterns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hits of one scan, sorted by what happens to each: reported, allowed by a
 * {@code keysafe:allow} comment, or already accepted in the baseline.
 *
 * <p>An allow comment with a reason accepts the value, not only its line: the same value in an
 * older commit (written before the comment, and history cannot take one) or elsewhere in this
 * scan is allowed too. An allow comment without a reason does not count: the hit is reported,
 * with a note saying why.
 *
 * @param reported  findings to act on: they make the scan exit 1
 * @param allowed   findings an allow comment accepted, with its reason
 * @param baselined findings the baseline lists
 */
record Triage(List<KeyScan.Hit> reported, List<Allowed> allowed, List<KeyScan.Hit> baselined) {

    /** A finding an allow comment accepted: the comment's reason and where it was written. */
    record Allowed(KeyScan.Hit hit, String reason, String allowedAt) {
    }

    static Triage of(List<KeyScan.Hit> hits, Set<String> baseline) {
        Map<String, KeyScan.Hit> allowing = new HashMap<>();
        for (KeyScan.Hit hit : hits) {
            if (hit.allow() != null && !hit.allow().isEmpty()) {
                allowing.putIfAbsent(hit.digest(), hit);
            }
        }
        List<KeyScan.Hit> reported = new ArrayList<>();
        List<Allowed> allowed = new ArrayList<>();
        List<KeyScan.Hit> baselined = new ArrayList<>();
        for (KeyScan.Hit hit : hits) {
            KeyScan.Hit comment = allowing.get(hit.digest());
            if (comment != null) {
                allowed.add(new Allowed(hit, reason(comment.allow()), comment.place() + " " + comment.where()));
            } else if (baseline.contains(hit.fingerprint())) {
                baselined.add(hit);
            } else {
                reported.add(hit);
            }
        }
        return new Triage(List.copyOf(reported), List.copyOf(allowed), List.copyOf(baselined));
    }

    /** Every finding that is not allowed: what {@code --write-baseline} records. */
    List<KeyScan.Hit> notAllowed() {
        List<KeyScan.Hit> all = new ArrayList<>(reported);
        all.addAll(baselined);
        return all;
    }

    /** A reason as reports may print it: never one that quotes a key. */
    private static String reason(String reason) {
        return KeyPatterns.all().matches(reason).isEmpty() ? reason : "(withheld: it holds a key-shaped string)";
    }
}
