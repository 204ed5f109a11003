package dev.keysafe.testkit.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "Copy this into your project" section of a module's README, read as a reviewer would: the
 * lesson's files (every link to a {@code .java} file under {@code src/main/java} before the
 * section's first {@code ###} heading) and the Maven dependencies it names (every
 * {@code `groupId:artifactId`} there).
 */
public record ReadmeSection(Path readme, List<Path> files, Set<String> dependencies) {

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern DEPENDENCY = Pattern.compile("`([A-Za-z0-9_.\\-]+):([A-Za-z0-9_.\\-]+)`");

    /**
     * The lesson part of {@code readme}'s "Copy this" section.
     *
     * @throws IllegalStateException when the README has no such section
     */
    public static ReadmeSection copyThis(Path readme) {
        List<String> lines;
        try {
            lines = Files.readAllLines(readme);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).toLowerCase(java.util.Locale.ROOT).startsWith("## copy this")) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            throw new IllegalStateException(readme + " has no '## Copy this' section");
        }
        StringBuilder lesson = new StringBuilder();
        for (int i = start + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("## ") || line.startsWith("### ")) {
                break;
            }
            lesson.append(line).append('\n');
        }
        Path folder = readme.toAbsolutePath().getParent();
        List<Path> files = new ArrayList<>();
        Matcher link = LINK.matcher(lesson);
        while (link.find()) {
            String target = link.group(1).replaceFirst("#.*$", "");
            // Sources only: a link to a test that proves the section is not a file to copy.
            if (target.endsWith(".java") && target.contains("src/main/java/")) {
                Path file = folder.resolve(target).normalize();
                if (!files.contains(file)) {
                    files.add(file);
                }
            }
        }
        Set<String> dependencies = new LinkedHashSet<>();
        Matcher dependency = DEPENDENCY.matcher(lesson);
        while (dependency.find()) {
            dependencies.add(dependency.group(1) + ":" + dependency.group(2));
        }
        return new ReadmeSection(readme, List.copyOf(files), dependencies);
    }
}
