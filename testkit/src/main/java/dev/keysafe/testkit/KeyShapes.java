package dev.keysafe.testkit;

import dev.keysafe.common.Fingerprint;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Strings shaped like each provider's keys, made at run time from random parts, for tests of the
 * scanner: no file of the kit holds one, and none is valid anywhere (random, never issued). The
 * fixed prefixes are split in this source so that it holds no key prefix next to key material.
 */
public final class KeyShapes {

    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String DIGITS = "0123456789";
    private static final String ALNUM = UPPER + LOWER + DIGITS;
    private static final String BASE64URL = ALNUM + "_-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyShapes() {
    }

    /** An OpenAI key of the given prefix ({@code sk-proj-}, {@code sk-svcacct-}, {@code sk-admin-}, or {@code sk-} for legacy). */
    public static String openAi(String prefix) {
        return prefix + KeyShapes.randomBody(() -> random(ALNUM, 20) + KeyPatterns.REAL_MARKER + random(ALNUM, 20));
    }

    /** An Anthropic API key: {@code sk-ant-api03-}, 93 characters, {@code AA}. */
    public static String anthropic() {
        return "sk-" + "ant-api03-" + randomBody(() -> random(BASE64URL, 93)) + "AA";
    }

    /** An Anthropic Admin API key: {@code sk-ant-admin01-}, 93 characters, {@code AA}. */
    public static String anthropicAdmin() {
        return "sk-" + "ant-admin01-" + randomBody(() -> random(BASE64URL, 93)) + "AA";
    }

    /** A long-term AWS access key id: {@code AKIA} and 16 upper-case letters and digits. */
    public static String awsAccessKeyId() {
        return "AK" + "IA" + randomBody(() -> random(UPPER + DIGITS, 16));
    }

    /** A temporary AWS access key id: {@code ASIA} and 16 upper-case letters and digits. */
    public static String awsTemporaryKeyId() {
        return "AS" + "IA" + randomBody(() -> random(UPPER + DIGITS, 16));
    }

    /** An AWS secret access key: 40 characters of base64, mixed case and digits. */
    public static String awsSecretAccessKey() {
        return randomBody(() -> {
            String secret = random(ALNUM + "/+", 40);
            return LookAlikes.mixedCase(secret) ? secret : "";
        });
    }

    /** A classic GitHub token of the given kind ({@code p}, {@code o}, {@code u}, {@code s}, {@code r}): {@code ghp_} and 36. */
    public static String gitHub(char kind) {
        return "gh" + kind + "_" + randomBody(() -> random(ALNUM, 36));
    }

    /** A fine-grained GitHub token: {@code github_pat_}, 22, {@code _}, 59. */
    public static String gitHubFineGrained() {
        return "github" + "_pat_" + randomBody(() -> random(ALNUM, 22) + "_" + random(ALNUM, 59));
    }

    /** A Google API key: {@code AIza} and 35. */
    public static String google() {
        return "AI" + "za" + randomBody(() -> random(BASE64URL, 35));
    }

    /** A Slack bot token: {@code xoxb-}, two numbers, 24 characters. */
    public static String slackBot() {
        return "xo" + "xb-" + random(DIGITS, 12) + "-" + random(DIGITS, 13) + "-" + randomBody(() -> random(ALNUM, 24));
    }

    /** A Slack user token: {@code xoxp-}, three numbers, 32 hex digits. */
    public static String slackUser() {
        return "xo" + "xp-" + random(DIGITS, 12) + "-" + random(DIGITS, 12) + "-" + random(DIGITS, 13) + "-"
                + randomBody(() -> random(DIGITS + "abcdef", 32));
    }

    /** A Slack incoming-webhook URL. */
    public static String slackWebhook() {
        return "https://hooks." + "slack.com/services/T" + random(UPPER + DIGITS, 10) + "/B" + random(UPPER + DIGITS, 10)
                + "/" + randomBody(() -> random(ALNUM, 24));
    }

    /** A Hugging Face token: {@code hf_} and 34 letters. */
    public static String huggingFace() {
        return "hf" + "_" + randomBody(() -> random(UPPER + LOWER, 34));
    }

    /** A Stripe live secret key: {@code sk_live_} and 99. */
    public static String stripeLive() {
        return "sk" + "_live_" + randomBody(() -> random(ALNUM, 99));
    }

    /** A PKCS#8 private key in PEM form: random bytes as its body, wrapped at 64, with its armour lines. */
    public static String pemPrivateKey() {
        byte[] der = new byte[1200];
        RANDOM.nextBytes(der);
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + "PRIVATE KEY-----\n" + body + "\n-----END " + "PRIVATE KEY-----\n";
    }

    /** The kit's demo format: {@code sk-keysafe-demo-} and 32. */
    public static String demo() {
        return KeyPatterns.DEMO_PREFIX + random(ALNUM, 32);
    }

    /** {@code length} characters drawn from {@code alphabet}. */
    public static String random(String alphabet, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /**
     * A random body that also looks random: about once in 100,000 draws a random string holds a run
     * such as {@code aaaaa} and would read as a placeholder, which would make a test flaky.
     */
    private static String randomBody(Supplier<String> draw) {
        for (int attempt = 0; attempt < 100; attempt++) {
            String body = draw.get();
            if (LookAlikes.random(body)) {
                return body;
            }
        }
        throw new IllegalStateException("no random-looking body in 100 draws: the look-alike checks reject random strings");
    }

    /**
     * What a scanner meets that is shaped like a key and is not one: placeholders, masked values
     * (the scanner's own output among them), AWS's documented examples, UUIDs, git and SHA-256
     * hashes, base64 digests. None may be reported.
     */
    public static List<String> lookAlikes() {
        List<String> texts = new ArrayList<>(List.of(
                "OPENAI_API_KEY=sk-...", "OPENAI_API_KEY=sk-xxxx", "OPENAI_API_KEY=YOUR_KEY", "api_key: <your-key>",
                "password=changeme", "sk-proj-***abcd", "sk-...abcd", "key=sk-proj-" + "x".repeat(60),
                "AWS_ACCESS_KEY_ID=AKIA" + "XXXXXXXXXXXXXXXX", "AWS_ACCESS_KEY_ID=AKIA" + "IOSFODNN7" + "EXAMPLE",
                "aws_access_key_id = AKIA" + "I44QH8DHB" + "EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/"
                        + "bPxRfiCY" + "EXAMPLEKEY",
                "AWS_ACCESS_KEY_ID=AKIA" + "1234567890ABCDEF", "aws_secret_access_key=" + "x".repeat(40),
                "GITHUB_TOKEN=ghp_" + "x".repeat(36), "GITHUB_TOKEN=ghp_your_token_here", "token: ghp_" + "0".repeat(36),
                "github_pat_" + "X".repeat(22) + "_" + "X".repeat(59), "GOOGLE_API_KEY=AIza" + "Sy" + "X".repeat(33),
                "GOOGLE_API_KEY=AIza-your-api-key", "SLACK_BOT_TOKEN=xoxb-your-bot-token",
                "SLACK_BOT_TOKEN=xoxb-" + "0".repeat(12) + "-" + "0".repeat(13) + "-" + "x".repeat(24),
                "https://hooks." + "slack.com/services/T00000000/B00000000/" + "X".repeat(24),
                "HF_TOKEN=hf_" + "x".repeat(34), "HF_TOKEN=hf_YOUR_TOKEN", "HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyzABCDEFGH",
                "STRIPE_KEY=sk_live_" + "x".repeat(24), "STRIPE_KEY=sk_live_your_key_here",
                "STRIPE_KEY=sk_" + "test_" + random("abcdefghijkLMNOP0123456789", 24),
                "sk-ant-api03-" + "x".repeat(93) + "AA", "ANTHROPIC_API_KEY=sk-ant-api03-your-key-here",
                "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
                "-----BEGIN RSA PRIVATE KEY-----\n<your key here>\n-----END RSA PRIVATE KEY-----",
                "if (line.startsWith(\"-----BEGIN RSA PRIVATE KEY-----\")) {"));
        for (int i = 0; i < 20; i++) {
            texts.add("id: " + UUID.randomUUID());
            texts.add("commit " + HexFormat.of().formatHex(randomBytes(20)) + " sha256:"
                    + HexFormat.of().formatHex(randomBytes(32)));
            texts.add("integrity sha512-" + Base64.getEncoder().encodeToString(randomBytes(64)));
        }
        for (String key : List.of(openAi("sk-proj-"), anthropic(), awsAccessKeyId(), gitHub('p'), gitHubFineGrained(),
                google(), slackBot(), huggingFace(), stripeLive())) {
            texts.add("masked: " + Canary.mask(key) + " fingerprint " + Fingerprint.of(key));
        }
        return texts;
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
