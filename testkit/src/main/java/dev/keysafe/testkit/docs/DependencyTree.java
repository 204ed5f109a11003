package dev.keysafe.testkit.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A module's dependency tree as {@code mvn dependency:tree} writes it (the build writes
 * {@code target/dependency-tree.txt}): which artifacts a named dependency brings with it.
 */
public final class DependencyTree {

    /** One artifact of the tree: {@code group:artifact}, its version and scope, and its depth. */
    public record Node(String groupId, String artifactId, String version, String scope, int depth) {
        String key() {
            return groupId + ":" + artifactId;
        }
    }

    private final List<Node> nodes;

    private DependencyTree(List<Node> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** Reads the text form of {@code mvn dependency:tree -DoutputFile=...}. */
    public static DependencyTree read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("no dependency tree at " + file + ": build the module first", e);
        }
        List<Node> nodes = new ArrayList<>();
        for (String line : lines) {
            int start = 0;
            while (start < line.length() && "|+-\\ ".indexOf(line.charAt(start)) >= 0) {
                start++;
            }
            String[] parts = line.substring(start).strip().split(":");
            if (parts.length < 4) {
                continue;
            }
            // group:artifact:type[:classifier]:version[:scope]; the root line has no scope.
            boolean root = start == 0;
            String scope = root ? "compile" : parts[parts.length - 1].replaceAll(" .*$", "");
            String version = root ? parts[parts.length - 1] : parts[parts.length - 2];
            nodes.add(new Node(parts[0], parts[1], version, scope, start / 3));
        }
        return new DependencyTree(nodes);
    }

    /** True when {@code groupAndArtifact} is anywhere in the tree. */
    public boolean contains(String groupAndArtifact) {
        return nodes.stream().anyMatch(n -> n.key().equals(groupAndArtifact));
    }

    /**
     * {@code groupAndArtifact} and everything below it in the tree, test scope left out. Maven
     * lists an artifact once, where it is nearest the root, so a dependency shared with an earlier
     * branch may be missing here: name it too.
     */
    public Set<Node> closure(String groupAndArtifact) {
        Set<Node> found = new LinkedHashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (!node.key().equals(groupAndArtifact) || node.scope().equals("test")) {
                continue;
            }
            found.add(node);
            for (int j = i + 1; j < nodes.size() && nodes.get(j).depth() > node.depth(); j++) {
                if (!nodes.get(j).scope().equals("test")) {
                    found.add(nodes.get(j));
                }
            }
        }
        return found;
    }
}
