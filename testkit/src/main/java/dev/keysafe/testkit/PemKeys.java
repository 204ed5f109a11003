package dev.keysafe.testkit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rule for private keys in PEM form ({@code -----BEGIN RSA PRIVATE KEY-----} and its kin):
 * reported only with a body of key material, so a header quoted in docs or code is not.
 */
final class PemKeys {

    /** The shortest body that is a key: a 256-bit EC key is about 160 base64 characters, 64 leaves room for a stub. */
    private static final int MIN_BODY = 64;

    /**
     * The armour lines and what lies between them: base64, line breaks (also as {@code \n} escapes in
     * JSON or Java strings) and header lines ({@code Proc-Type: 4,ENCRYPTED}). Nothing else, so a
     * header quoted in code never pairs with an end line further down.
     */
    private static final Pattern PEM = Pattern.compile("-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----"
            + "([A-Za-z0-9+/=\\s,:\"\\\\-]{0,65536}?)-----END [A-Z0-9 ]*PRIVATE KEY");

    static final KeyRule RULE = new KeyRule("private-key", "private key (PEM)",
            "A private key in PEM form (RSA, EC, OpenSSH, PKCS#8, PGP...) with its body. Replace the key pair (a new"
                    + " key, a new certificate or authorized_keys entry) and remove the old one everywhere it was"
                    + " trusted.",
            PEM, text -> text.contains("PRIVATE KEY-----"), PemKeys::hasBody, PemKeys::body, PemKeys::masked);

    private PemKeys() {
    }

    /**
     * The key material: the base64 characters between the armour lines, without headers
     * ({@code Proc-Type:}) and with JSON or Java {@code \n} escapes read as line breaks.
     */
    static String body(Matcher pem) {
        String raw = pem.group(3).replace("\\n", "\n").replace("\\r", "\n");
        StringBuilder body = new StringBuilder();
        for (String line : raw.split("\n")) {
            if (line.contains(":")) {
                continue;
            }
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
                        || c == '=') {
                    body.append(c);
                }
            }
        }
        return body.toString();
    }

    private static boolean hasBody(String text, Matcher pem) {
        String body = body(pem);
        // DER runs of zero bytes make real bodies repeat (AAAA), so only the spread of characters is asked.
        return body.length() >= MIN_BODY && LookAlikes.entropy(body) >= 4.5;
    }

    private static String masked(Matcher pem) {
        return "-----BEGIN " + pem.group(1) + "PRIVATE KEY" + (pem.group(2) == null ? "" : pem.group(2)) + "----- "
                + Canary.mask(body(pem));
    }
}
