package dev.keysafe.testkit;

import dev.keysafe.common.Sha256;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key shapes a secret scanner looks for, the one home of them in the kit: OpenAI's real
 * formats, the other providers teams keep in the same repositories (Anthropic, AWS, GitHub,
 * Google, Slack, Hugging Face, Stripe, PEM private keys), and the kit's own demo format, which
 * module 01 hardcodes. Each {@link KeyRule} pairs the provider's published shape with a check
 * against look-alikes (placeholders, masked values, documented examples). Used where no canary
 * can exist: source files, jar bytes and git history.
 */
public final class KeyPatterns implements Needle {

    /** Real OpenAI keys carry this marker (base64 of "OpenAI"); built here so no file holds it whole. */
    public static final String REAL_MARKER = "T3Blbk" + "FJ";

    /** The kit's demo keys: obviously fake, never the real marker, found by the kit's scanner. */
    public static final String DEMO_PREFIX = "sk-keysafe-demo-";

    /** Not glued to a letter or digit before; a JSON/Java escape ({@code \n}) or a %XX escape counts as a break. */
    private static final String START = "(?:(?<![A-Za-z0-9])|(?<=\\\\[nrt])|(?<=%[0-9A-Fa-f]{2}))";
    private static final String END = "(?![A-Za-z0-9])";

    /** The look-alike check on a rule's {@code body} group: the random part after the fixed prefix. */
    private static final KeyRule.Check RANDOM_BODY = (text, match) -> LookAlikes.random(match.group("body"));

    private static final Pattern AWS_ID = Pattern.compile(START + "(?:AKIA|ASIA)(?<body>[A-Z0-9]{16})" + END);
    private static final Pattern AWS_SECRET_NAME = Pattern.compile("(?i)aws.{0,20}secret|secret.?access.?key");
    /** How many lines away from an access key id a secret access key still counts as its pair. */
    private static final int AWS_PAIR_LINES = 5;

    private static final List<KeyRule> RULES = List.of(
            KeyRule.of("openai-project-key", "OpenAI project/service/admin key",
                    "An OpenAI API key (project, service-account or admin), recognised by the marker every real key"
                            + " carries. Revoke it at platform.openai.com (API keys), make a new one, and read it from"
                            + " an environment variable.",
                    "sk-(?:proj|svcacct|admin|None)-(?<body>[A-Za-z0-9_-]{10,}" + REAL_MARKER + "[A-Za-z0-9_-]{10,})",
                    List.of("sk-"), RANDOM_BODY),
            KeyRule.of("openai-legacy-key", "OpenAI legacy key",
                    "An OpenAI API key in the older sk- format (sk- and 48 characters around the marker). Revoke"
                            + " it at platform.openai.com (API keys) and read its successor from an environment variable.",
                    "sk-(?<body>[A-Za-z0-9]{20}" + REAL_MARKER + "[A-Za-z0-9]{20})", List.of("sk-"), RANDOM_BODY),
            KeyRule.of("keysafe-demo-key", "keysafe demo key",
                    "The kit's demo format (sk-keysafe-demo-...): never a valid key, but written where a real key"
                            + " would leak. Read keys from the environment; a deliberate fixture takes a"
                            + " keysafe:allow comment with its reason.",
                    Pattern.quote(DEMO_PREFIX) + "[A-Za-z0-9]{32}", List.of(DEMO_PREFIX), KeyRule.ANY),
            KeyRule.of("anthropic-api-key", "Anthropic API key",
                    "An Anthropic API key (sk-ant-api03-...). Revoke it in the Anthropic Console (API keys) and make"
                            + " a new one.",
                    START + "sk-ant-api\\d\\d-(?<body>[A-Za-z0-9_-]{80,120})(?![A-Za-z0-9_-])", List.of("sk-ant-"),
                    RANDOM_BODY),
            KeyRule.of("anthropic-admin-key", "Anthropic admin key",
                    "An Anthropic Admin API key (sk-ant-admin01-...): it manages the whole organisation. Revoke it"
                            + " in the Anthropic Console at once.",
                    START + "sk-ant-admin\\d\\d-(?<body>[A-Za-z0-9_-]{80,120})(?![A-Za-z0-9_-])", List.of("sk-ant-"),
                    RANDOM_BODY),
            KeyRule.of("aws-access-key-id", "AWS access key id",
                    "An AWS access key id (AKIA: long-term, ASIA: temporary). It names a key pair whose secret is"
                            + " usually next to it: deactivate and delete the pair in IAM, then use roles or a secrets"
                            + " manager. AWS's documented example ids (...EXAMPLE) are not reported.",
                    AWS_ID.pattern(), List.of("AKIA", "ASIA"), RANDOM_BODY),
            KeyRule.of("aws-secret-access-key", "AWS secret access key",
                    "A 40-character AWS secret access key, named as one or within " + AWS_PAIR_LINES + " lines of an"
                            + " access key id. Deactivate and delete the key pair in IAM (the access key id names it).",
                    "(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
                    KeyPatterns::mayHoldAnAwsSecret,
                    KeyPatterns::nextToAnAwsKey),
            KeyRule.of("github-token", "GitHub token",
                    "A GitHub token (ghp_ personal, gho_ OAuth, ghu_ user-to-server, ghs_ server-to-server, ghr_"
                            + " refresh). Revoke it in GitHub settings (Developer settings) or the app's settings.",
                    START + "gh[pousr]_(?<body>[A-Za-z0-9]{36})" + END, List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), RANDOM_BODY),
            KeyRule.of("github-fine-grained-token", "GitHub fine-grained token",
                    "A GitHub fine-grained personal access token (github_pat_...). Revoke it in GitHub settings,"
                            + " Developer settings, Personal access tokens.",
                    START + "github_pat_(?<body>[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])",
                    List.of("github_pat_"), RANDOM_BODY),
            KeyRule.of("google-api-key", "Google API key",
                    "A Google API key (AIza...). Delete or regenerate it in the Google Cloud console (APIs &"
                            + " Services, Credentials) and restrict the new one.",
                    START + "AIza(?<body>[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])", List.of("AIza"), RANDOM_BODY),
            KeyRule.of("slack-token", "Slack token",
                    "A Slack token (xoxb- bot, xoxp- user, xoxa- and xoxr- app and refresh, xoxs- legacy). Revoke"
                            + " it in the Slack app's settings (OAuth & Permissions).",
                    START + "xox[baprs]-(?:[0-9]{1,13}-){1,3}(?<body>[A-Za-z0-9]{10,64})(?![A-Za-z0-9-])",
                    List.of("xox"), RANDOM_BODY),
            KeyRule.of("slack-webhook-url", "Slack webhook URL",
                    "A Slack incoming-webhook URL: whoever holds it can post to the channel. Regenerate it in the"
                            + " Slack app's Incoming Webhooks settings.",
                    "(?:https?://)?hooks\\.slack\\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/(?<body>[A-Za-z0-9]{20,32})" + END,
                    List.of("hooks.slack.com/"), RANDOM_BODY),
            KeyRule.of("huggingface-token", "Hugging Face token",
                    "A Hugging Face access token (hf_...). Invalidate it at huggingface.co (Settings, Access Tokens).",
                    START + "hf_(?<body>[A-Za-z]{34})" + END, List.of("hf_"), RANDOM_BODY),
            KeyRule.of("stripe-live-key", "Stripe live key",
                    "A Stripe live secret or restricted key (sk_live_, rk_live_): it moves real money. Roll it in"
                            + " the Stripe Dashboard (Developers, API keys) at once. Test keys (sk_test_) are not"
                            + " reported.",
                    START + "[sr]k_live_(?<body>[A-Za-z0-9]{24,99})" + END, List.of("k_live_"), RANDOM_BODY),
            PemKeys.RULE);

    private static final KeyPatterns ALL = new KeyPatterns();

    private KeyPatterns() {
    }

    /** Every rule: real formats of every provider and the kit's demo format. */
    public static KeyPatterns all() {
        return ALL;
    }

    /** The rules, in the order reports list them. */
    public static List<KeyRule> rules() {
        return RULES;
    }

    /** True when {@code text} holds the marker of a real OpenAI key. */
    public static boolean hasRealMarker(String text) {
        return text.contains(REAL_MARKER);
    }

    @Override
    public List<String> formsIn(String text) {
        List<String> found = new ArrayList<>();
        for (KeyRule rule : RULES) {
            rule.find(text, hit -> {
                if (!found.contains(rule.name())) {
                    found.add(rule.name());
                }
            });
        }
        return found;
    }

    /** Each match in {@code text}, in the order they appear: the rule, the line, the value masked. */
    public List<Match> matches(String text) {
        List<Located> found = new ArrayList<>();
        for (KeyRule rule : RULES) {
            rule.find(text, hit -> found.add(new Located(rule, hit)));
        }
        if (found.isEmpty()) {
            return List.of();
        }
        LineIndex lines = new LineIndex(text);
        return found.stream().filter(each -> !insideAnother(each.hit(), found))
                .sorted(Comparator.comparingInt(each -> each.hit().start()))
                .map(each -> new Match(each.rule().id(), each.rule().name(), lines.lineOf(each.hit().start()),
                        each.hit().masked(), Sha256.hex(each.hit().secret())))
                .toList();
    }

    /**
     * Whether another rule's match holds this one: a key of one provider can carry, say, a run of 40
     * base64 characters an AWS secret rule would take; it is one key, reported once, by its own rule.
     */
    private static boolean insideAnother(KeyRule.Hit inner, List<Located> all) {
        return all.stream().map(Located::hit).anyMatch(outer -> outer.start() <= inner.start()
                && outer.end() >= inner.end() && outer.end() - outer.start() > inner.end() - inner.start());
    }

    private record Located(KeyRule rule, KeyRule.Hit hit) {
    }

    /**
     * One key-shaped string found: which rule (its id and name), the 1-based line, the value masked
     * (never whole), and the SHA-256 of the value, which tells two finds of one key apart from two
     * keys without holding either.
     */
    public record Match(String ruleId, String rule, int line, String masked, String digest) {
    }

    @Override
    public String toString() {
        return "KeyPatterns" + RULES.stream().map(KeyRule::id).toList();
    }

    /** A text that may hold a secret key the check below keeps: one with a key id, or with "secret" and a name for one. */
    private static boolean mayHoldAnAwsSecret(String text) {
        if (KeyRule.holdsAny(text, List.of("AKIA", "ASIA"))) {
            return true;
        }
        // Most texts never say "secret": look for it plainly before the case-blind pattern runs.
        for (int at = 0; (at = indexOfIgnoreCase(text, 's', at)) >= 0; at++) {
            if (text.regionMatches(true, at, "secret", 0, 6)) {
                return AWS_SECRET_NAME.matcher(text).find();
            }
        }
        return false;
    }

    private static int indexOfIgnoreCase(String text, char lower, int from) {
        int small = text.indexOf(lower, from);
        int capital = text.indexOf(Character.toUpperCase(lower), from);
        return small < 0 ? capital : capital < 0 ? small : Math.min(small, capital);
    }

    /** An AWS secret access key counts only named as one, or near an access key id: 40 characters alone are too common. */
    private static boolean nextToAnAwsKey(String text, Matcher match) {
        String value = match.group();
        if (!LookAlikes.mixedCase(value) || !LookAlikes.random(value)) {
            return false;
        }
        int lineStart = text.lastIndexOf('\n', match.start()) + 1;
        int lineEnd = text.indexOf('\n', match.end());
        if (AWS_SECRET_NAME.matcher(text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd)).find()) {
            return true;
        }
        int from = lineStart;
        for (int i = 0; i < AWS_PAIR_LINES && from > 0; i++) {
            from = text.lastIndexOf('\n', from - 2) + 1;
        }
        int to = lineEnd < 0 ? text.length() : lineEnd;
        for (int i = 0; i < AWS_PAIR_LINES && to < text.length(); i++) {
            int next = text.indexOf('\n', to + 1);
            to = next < 0 ? text.length() : next;
        }
        Matcher id = AWS_ID.matcher(text).region(from, to);
        while (id.find()) {
            if (LookAlikes.random(id.group("body"))) {
                return true;
            }
        }
        return false;
    }

    /** Line numbers of offsets in one text, counted once. */
    static final class LineIndex {
        private final int[] newlines;

        LineIndex(String text) {
            int[] found = new int[16];
            int count = 0;
            for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
                if (count == found.length) {
                    found = java.util.Arrays.copyOf(found, count * 2);
                }
                found[count++] = i;
            }
            this.newlines = java.util.Arrays.copyOf(found, count);
        }

        /** The 1-based line holding {@code offset}. */
        int lineOf(int offset) {
            int at = java.util.Arrays.binarySearch(newlines, offset);
            return (at >= 0 ? at : -at - 1) + 1;
        }
    }
}
