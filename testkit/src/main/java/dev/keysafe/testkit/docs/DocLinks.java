package dev.keysafe.testkit.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every link in the kit's Markdown files that points inside the repository, checked: the file
 * exists, a {@code #L10-L20} line anchor is a real range of it, and a {@code #heading} anchor into
 * another Markdown file names one of its headings. Docs that point at code cannot drift unseen.
 */
public final class DocLinks {

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern LINES = Pattern.compile("L(\\d+)(?:-L(\\d+))?");
    private static final Set<String> SKIPPED_DIRS = Set.of("target", "node_modules", ".git", "labs-work", ".mvn");

    private DocLinks() {
    }

    /** One broken link: where it is, what it points at, and why it is broken. */
    public record Broken(Path file, int line, String target, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + target + " (" + reason + ")";
        }
    }

    /** Every Markdown file below {@code root}, build output and work folders left out. */
    public static List<Path> markdownFiles(Path root) {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> root.relativize(p).toString().isEmpty()
                            || Stream.of(root.relativize(p).toString().split("[/\\\\]")).noneMatch(SKIPPED_DIRS::contains))
                    .forEach(found::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** The broken links in {@code markdown}. */
    public static List<Broken> check(Path markdown) {
        List<Broken> broken = new ArrayList<>();
        List<String> lines = readLines(markdown);
        boolean inFence = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("```")) {
                inFence = !inFence;
                continue;
            }
            if (inFence) {
                continue;
            }
            Matcher link = LINK.matcher(line);
            while (link.find()) {
                String target = link.group(1);
                String reason = problemWith(markdown, target);
                if (reason != null) {
                    broken.add(new Broken(markdown, i + 1, target, reason));
                }
            }
        }
        return broken;
    }

    private static String problemWith(Path markdown, String target) {
        if (target.matches("^[a-zA-Z][a-zA-Z+.-]*:.*")) {
            return null; // https:, mailto: and the like: outside the repository
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? "" : target.substring(hash + 1);
        Path file = path.isEmpty() ? markdown : markdown.toAbsolutePath().getParent().resolve(path).normalize();
        if (!Files.exists(file)) {
            return "no such file";
        }
        if (anchor.isEmpty() || Files.isDirectory(file)) {
            return null;
        }
        Matcher range = LINES.matcher(anchor);
        if (range.matches()) {
            int from = Integer.parseInt(range.group(1));
            int to = range.group(2) == null ? from : Integer.parseInt(range.group(2));
            int length = readLines(file).size();
            return from >= 1 && from <= to && to <= length ? null
                    : "lines " + from + "-" + to + " are not in its " + length + " lines";
        }
        if (file.toString().endsWith(".md")) {
            return headingAnchors(file).contains(anchor.toLowerCase(Locale.ROOT)) ? null : "no heading #" + anchor;
        }
        return null;
    }

    /** GitHub's anchors for the headings of {@code markdown}: lower case, punctuation dropped, spaces to hyphens. */
    static Set<String> headingAnchors(Path markdown) {
        Set<String> anchors = new HashSet<>();
        boolean inFence = false;
        for (String line : readLines(markdown)) {
            if (line.strip().startsWith("```")) {
                inFence = !inFence;
            }
            if (inFence || !line.startsWith("#")) {
                continue;
            }
            String title = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
            String slug = title.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            String unique = slug;
            for (int n = 1; !anchors.add(unique); n++) {
                unique = slug + "-" + n;
            }
        }
        return anchors;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
