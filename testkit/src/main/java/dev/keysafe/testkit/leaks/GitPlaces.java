package dev.keysafe.testkit.leaks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * The places git keeps a file, read with JGit: the working tree as git would carry it, and every
 * version of every file in the history reachable from any ref. The detectors' C14 and C15 search
 * here, and so does the kit's scanner.
 */
public final class GitPlaces {

    private GitPlaces() {
    }

    /**
     * The files {@link Detectors#inWorkingTree} reads: tracked and untracked-not-ignored files below
     * {@code dir}, or, outside a git checkout, every file below it but {@code target/} and
     * {@code .git/}. Sorted.
     */
    public static List<Path> workingTreeFiles(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        try (Repository repo = openRepository(absolute)) {
            if (repo == null || repo.isBare()) {
                try (Stream<Path> files = Files.walk(absolute)) {
                    return files.filter(Files::isRegularFile)
                            .filter(p -> !gitPath(absolute, p).matches("(.*/)?(target|\\.git)/.*"))
                            .sorted().toList();
                }
            }
            Path top = repo.getWorkTree().toPath().toAbsolutePath().normalize();
            String prefix = gitPath(top, absolute);
            Set<String> paths = new TreeSet<>();
            DirCache index = repo.readDirCache();
            for (int i = 0; i < index.getEntryCount(); i++) {
                String path = index.getEntry(i).getPathString();
                if (prefix.isEmpty() || path.startsWith(prefix + "/")) {
                    paths.add(path);
                }
            }
            try (Git git = new Git(repo)) {
                var status = prefix.isEmpty() ? git.status() : git.status().addPath(prefix);
                paths.addAll(status.call().getUntracked());
            }
            return paths.stream().map(top::resolve).filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("git status failed below " + dir, e);
        }
    }

    /** One version of a file met in git history; {@code text} is its bytes as ISO-8859-1. */
    public record Version(String commit, String path, String text) {
        @Override
        public String toString() {
            return "commit " + commit + " " + path;
        }
    }

    /**
     * Visits each distinct version of each file below {@code dir}, in every commit reachable from
     * any ref (branches, tags, remotes, stash), once, at the newest commit holding it. Paths are
     * the repository's. Nothing is visited outside a git repository.
     */
    public static void forEachVersionInHistory(Path dir, Consumer<Version> visitor) {
        Path absolute = dir.toAbsolutePath().normalize();
        try (Repository repo = openRepository(absolute)) {
            if (repo == null) {
                return;
            }
            String prefix = repo.isBare() ? "" : gitPath(repo.getWorkTree().toPath().toAbsolutePath().normalize(), absolute);
            Set<ObjectId> blobsSeen = new HashSet<>();
            try (RevWalk walk = new RevWalk(repo)) {
                for (Ref ref : repo.getRefDatabase().getRefs()) {
                    ObjectId id = ref.getPeeledObjectId() != null ? ref.getPeeledObjectId() : ref.getObjectId();
                    if (id == null) {
                        continue;
                    }
                    RevObject object = walk.peel(walk.parseAny(id));
                    if (object instanceof RevCommit commit) {
                        walk.markStart(commit);
                    }
                }
                for (RevCommit commit : walk) {
                    try (TreeWalk tree = new TreeWalk(repo)) {
                        tree.addTree(commit.getTree());
                        tree.setRecursive(true);
                        if (!prefix.isEmpty()) {
                            tree.setFilter(PathFilter.create(prefix));
                        }
                        while (tree.next()) {
                            ObjectId blob = tree.getObjectId(0);
                            if (tree.getFileMode(0) == FileMode.GITLINK || !blobsSeen.add(blob)) {
                                continue;
                            }
                            var loader = repo.open(blob, Constants.OBJ_BLOB);
                            if (loader.getSize() > Detectors.MAX_FILE_BYTES) {
                                continue;
                            }
                            visitor.accept(new Version(commit.abbreviate(10).name(), tree.getPathString(),
                                    new String(loader.getBytes(), StandardCharsets.ISO_8859_1)));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when {@code dir} lies in a git work tree with at least one commit. */
    public static boolean isInGitCheckout(Path dir) {
        try (Repository repo = openRepository(dir.toAbsolutePath().normalize())) {
            return repo != null && repo.resolve(Constants.HEAD) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static Repository openRepository(Path dir) throws IOException {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toFile());
        if (builder.getGitDir() == null) {
            return null;
        }
        return builder.build();
    }

    private static String gitPath(Path top, Path dir) {
        return top.relativize(dir).toString().replace('\\', '/');
    }
}
