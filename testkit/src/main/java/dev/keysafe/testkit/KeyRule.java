package dev.keysafe.testkit;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kind of key a secret scanner recognises: a stable id, a name, the shape its provider
 * publishes, and the check that tells a real key from a look-alike of that shape. The rules
 * themselves are listed in {@link KeyPatterns}.
 */
public final class KeyRule {

    /** Whether the current match of the shape is a key, given the whole text (some rules look at the lines around). */
    interface Check {
        boolean keep(String text, Matcher match);
    }

    /** Keeps every match: the shape alone is proof (OpenAI's marker, the kit's demo prefix). */
    static final Check ANY = (text, match) -> true;

    private final String id;
    private final String name;
    private final String help;
    private final Pattern pattern;
    private final Predicate<String> mayHold;
    private final Check check;
    private final Function<Matcher, String> secret;
    private final Function<Matcher, String> masked;

    KeyRule(String id, String name, String help, Pattern pattern, Predicate<String> mayHold, Check check,
            Function<Matcher, String> secret, Function<Matcher, String> masked) {
        this.id = id;
        this.name = name;
        this.help = help;
        this.pattern = pattern;
        this.mayHold = mayHold;
        this.check = check;
        this.secret = secret;
        this.masked = masked;
    }

    /**
     * A rule whose whole match is the secret, shown masked as OpenAI masks a key; {@code hints} are
     * fixed parts of the shape, one of which a text must hold for the regular expression to run.
     */
    static KeyRule of(String id, String name, String help, String regex, List<String> hints, Check check) {
        return of(id, name, help, regex, text -> holdsAny(text, hints), check);
    }

    /** A rule as above, with its own quick test of whether a text may hold such a key. */
    static KeyRule of(String id, String name, String help, String regex, Predicate<String> mayHold, Check check) {
        return new KeyRule(id, name, help, Pattern.compile(regex), mayHold, check, Matcher::group,
                m -> Canary.mask(m.group()));
    }

    /** True when {@code text} holds one of {@code hints}. */
    static boolean holdsAny(String text, List<String> hints) {
        for (String hint : hints) {
            if (text.contains(hint)) {
                return true;
            }
        }
        return false;
    }

    /** A stable, lower-case id for reports and baselines: {@code aws-access-key-id}. */
    public String id() {
        return id;
    }

    /** The name a person reads: {@code AWS access key id}. */
    public String name() {
        return name;
    }

    /** What the key is and what to do about a leaked one, in a sentence or two. */
    public String help() {
        return help;
    }

    /** One key of this kind found in a text. */
    record Hit(int start, int end, String secret, String masked) {
        @Override
        public String toString() {
            return "Hit[start=" + start + ", masked=" + masked + "]";
        }
    }

    /** Each key of this kind in {@code text}, in order. */
    void find(String text, Consumer<Hit> found) {
        if (!mayHold.test(text)) {
            return;
        }
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            if (check.keep(text, m)) {
                found.accept(new Hit(m.start(), m.end(), secret.apply(m), masked.apply(m)));
            }
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
