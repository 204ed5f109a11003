package dev.keysafe.workshop.scan;

import dev.keysafe.testkit.KeyPatterns;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What one file holds, read every way a key hides in a repository: as text (UTF-16 too, with or
 * without a byte-order mark), inside base64 runs (a Kubernetes Secret's {@code data:}), behind
 * percent-encoding (a key in a URL), and inside {@code .jar} and {@code .zip} archives, nested
 * once. Each find names where it is: {@code app.jar!/config/app.properties} line 3,
 * {@code k8s/secret.yaml} line 7 (base64).
 */
final class Contents {

    /** Largest file or archive entry read whole; a larger one is skipped (SCAN.md, Limits). */
    static final int MAX_BYTES = 16 * 1024 * 1024;
    /** A file (depth 0), an entry of an archive (1), an entry of an archive inside it (2): nested once. */
    private static final int MAX_DEPTH = 2;
    /** 24 base64 characters are 18 bytes; the shortest key a rule knows (an AWS access key id, 20) encodes to 28. */
    private static final int MIN_RUN = 24;
    private static final Pattern PERCENT = Pattern.compile("%[0-9A-Fa-f]{2}");
    private static final Pattern ALLOW = Pattern.compile("keysafe:allow\\b:?(.*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern REASON = Pattern.compile("[A-Za-z]{3,}");

    private Contents() {
    }

    /**
     * One key-shaped string in a file.
     *
     * @param path     the file, and the entry inside an archive ({@code app.jar!/config/app.properties})
     * @param line     1-based, in the file or entry as stored
     * @param encoding how it was decoded ({@code base64}, {@code UTF-16LE}, {@code percent-encoded}), or null
     * @param match    the rule and the masked value
     * @param allow    the reason of a {@code keysafe:allow} comment on the line; "" for a bare one; null for none
     */
    record Found(String path, int line, String encoding, KeyPatterns.Match match, String allow) {
    }

    /** Every key-shaped string in a file's bytes. */
    static List<Found> scan(String path, byte[] bytes) {
        List<Found> found = new ArrayList<>();
        scan(path, bytes, 0, found);
        return found;
    }

    /** Every key-shaped string in an archive read from a stream (a large {@code .jar} need not fit in memory). */
    static List<Found> scanArchive(String path, InputStream archive) throws IOException {
        List<Found> found = new ArrayList<>();
        entries(path, archive, 1, found);
        return found;
    }

    /** True when {@code bytes} start as a zip archive does ({@code .jar}, {@code .zip}, {@code .war} alike). */
    static boolean isArchive(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4;
    }

    private static void scan(String path, byte[] bytes, int depth, List<Found> found) {
        if (isArchive(bytes) && depth < MAX_DEPTH) {
            try {
                entries(path, new ByteArrayInputStream(bytes), depth + 1, found);
                return;
            } catch (IOException notAZip) {
                // a damaged archive is still bytes: read it as text below
            }
        }
        String utf16 = utf16(bytes);
        if (utf16 != null) {
            text(path, utf16, utf16Label(bytes), found);
        } else {
            text(path, new String(bytes, StandardCharsets.ISO_8859_1), null, found);
        }
    }

    private static void entries(String path, InputStream in, int depth, List<Found> found) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                if (!entry.isDirectory()) {
                    scan(path + "!/" + entry.getName(), readLimited(zip), depth, found);
                }
            }
        }
    }

    /** One text: the rules on it as it is, then on each base64 run and each percent-encoded line decoded. */
    private static void text(String path, String text, String encoding, List<Found> found) {
        Set<String> seen = new HashSet<>();
        for (KeyPatterns.Match match : KeyPatterns.all().matches(text)) {
            add(path, match.line(), encoding, match, text, seen, found);
        }
        int line = 1;
        int counted = 0;
        for (int at = 0; at < text.length(); ) {
            int start = nextRun(text, at);
            if (start < 0) {
                break;
            }
            StringBuilder value = new StringBuilder();
            at = base64Run(text, start, value);
            line += count(text, counted, start);
            counted = start;
            String decoded = base64(value.toString());
            if (decoded != null) {
                for (KeyPatterns.Match match : KeyPatterns.all().matches(decoded)) {
                    add(path, line, with(encoding, "base64"), match, text, seen, found);
                }
            }
        }
        Matcher escape = PERCENT.matcher(text);
        int decodedLine = 0;
        line = 1;
        counted = 0;
        while (escape.find()) {
            line += count(text, counted, escape.start());
            counted = escape.start();
            if (line != decodedLine) {
                decodedLine = line;
                for (KeyPatterns.Match match : KeyPatterns.all().matches(percentDecode(lineAt(text, line)))) {
                    add(path, line, with(encoding, "percent-encoded"), match, text, seen, found);
                }
            }
        }
    }

    private static void add(String path, int line, String encoding, KeyPatterns.Match match, String text,
                            Set<String> seen, List<Found> found) {
        // One key on one line is one finding, however many ways it was read.
        if (seen.add(match.digest() + "@" + line)) {
            found.add(new Found(path, line, encoding, match, allow(lineAt(text, line))));
        }
    }

    /** Where the next run of at least {@link #MIN_RUN} base64 characters starts at or after {@code from}; -1 for none. */
    private static int nextRun(String text, int from) {
        int run = 0;
        for (int i = from; i < text.length(); i++) {
            run = isBase64(text.charAt(i)) ? run + 1 : 0;
            if (run == MIN_RUN) {
                return i - MIN_RUN + 1;
            }
        }
        return -1;
    }

    /**
     * Appends the base64 run at {@code start} to {@code value}, with its padding and the continuation
     * lines of a run that tools wrapped (at 64 or 76 columns: {@code base64} without {@code -w0});
     * returns where it ends.
     */
    private static int base64Run(String text, int start, StringBuilder value) {
        int end = start;
        while (true) {
            int from = end;
            while (end < text.length() && isBase64(text.charAt(end))) {
                end++;
            }
            for (int pad = 0; pad < 2 && end < text.length() && text.charAt(end) == '='; pad++) {
                end++;
            }
            String segment = text.substring(from, end);
            value.append(segment);
            boolean wrapped = segment.length() >= 60 && segment.length() % 4 == 0 && !segment.endsWith("=")
                    && end < text.length() && (text.charAt(end) == '\n' || text.charAt(end) == '\r');
            if (!wrapped) {
                return end;
            }
            int next = end;
            while (next < text.length() && Character.isWhitespace(text.charAt(next))) {
                next++;
            }
            int after = next;
            while (after < text.length() && (isBase64(text.charAt(after)) || text.charAt(after) == '=')) {
                after++;
            }
            boolean wholeLine = after > next && (after == text.length() || text.charAt(after) == '\n'
                    || text.charAt(after) == '\r');
            if (!wholeLine) {
                return end;
            }
            end = next;
        }
    }

    private static boolean isBase64(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/';
    }

    /** Line {@code line} (1-based) of {@code text}, looked up only for a find. */
    private static String lineAt(String text, int line) {
        int start = 0;
        for (int i = 1; i < line && start >= 0; i++) {
            start = text.indexOf('\n', start) + 1;
            if (start == 0) {
                return "";
            }
        }
        int end = text.indexOf('\n', start);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /**
     * The reason given by a {@code keysafe:allow} comment on {@code line}: the words after it, without
     * the comment's closing marks; "" when none is given; null when the line has no such comment.
     */
    static String allow(String line) {
        Matcher allow = ALLOW.matcher(line);
        if (!allow.find()) {
            return null;
        }
        String reason = allow.group(1).replaceAll("(\\*/|-->|%>|#}|\\}\\}|[\"';])\\s*$", "").strip();
        return REASON.matcher(reason).find() ? reason : "";
    }

    /** The text a base64 run decodes to, or null when it is not text (most runs are names, hashes or binaries). */
    private static String base64(String run) {
        String unpadded = run.replace("=", "");
        if (unpadded.length() % 4 == 1) {
            unpadded = unpadded.substring(0, unpadded.length() - 1);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(unpadded + "==".substring(0, (4 - unpadded.length() % 4) % 4));
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        String text = utf16(bytes);
        if (text == null) {
            text = new String(bytes, StandardCharsets.ISO_8859_1);
        }
        long printable = text.chars().filter(c -> c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t').count();
        return printable >= 0.9 * text.length() ? text : null;
    }

    /** {@code line} with each %XX escape decoded (twice, for a URL inside a URL); {@code +} stays, as keys hold it. */
    static String percentDecode(String line) {
        String decoded = line;
        for (int pass = 0; pass < 2 && PERCENT.matcher(decoded).find(); pass++) {
            StringBuilder out = new StringBuilder(decoded.length());
            Matcher escape = PERCENT.matcher(decoded);
            int last = 0;
            while (escape.find()) {
                out.append(decoded, last, escape.start()).append((char) Integer.parseInt(escape.group().substring(1), 16));
                last = escape.end();
            }
            decoded = out.append(decoded, last, decoded.length()).toString();
        }
        return decoded;
    }

    /**
     * The text of UTF-16 bytes, or null when they are not UTF-16: a byte-order mark, or, without one,
     * text whose every other byte is zero (ASCII saved as UTF-16 by Windows tools and PowerShell).
     */
    static String utf16(byte[] bytes) {
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xfe) {
            return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE);
        }
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xff) == 0xff) {
            return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16BE);
        }
        int sample = Math.min(bytes.length, 4096) & ~1;
        if (sample < 8) {
            return null;
        }
        int evenZeros = 0;
        int oddZeros = 0;
        for (int i = 0; i < sample; i += 2) {
            evenZeros += bytes[i] == 0 ? 1 : 0;
            oddZeros += bytes[i + 1] == 0 ? 1 : 0;
        }
        int pairs = sample / 2;
        if (oddZeros > 0.9 * pairs && evenZeros < 0.05 * pairs) {
            return new String(bytes, 0, bytes.length & ~1, StandardCharsets.UTF_16LE);
        }
        if (evenZeros > 0.9 * pairs && oddZeros < 0.05 * pairs) {
            return new String(bytes, 0, bytes.length & ~1, StandardCharsets.UTF_16BE);
        }
        return null;
    }

    private static String utf16Label(byte[] bytes) {
        boolean bigEndian = (bytes[0] & 0xff) == 0xfe || bytes[0] == 0 && bytes.length > 1 && bytes[1] != 0;
        return bigEndian ? "UTF-16BE" : "UTF-16LE";
    }

    private static String with(String outer, String inner) {
        return outer == null ? inner : outer + ", " + inner;
    }

    private static int count(String text, int from, int to) {
        int lines = 0;
        for (int i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) {
            lines++;
        }
        return lines;
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
            if (out.size() + n > MAX_BYTES) {
                return new byte[0];
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
