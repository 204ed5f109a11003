package dev.keysafe.workshop;

import dev.keysafe.testkit.KeyPatterns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * A secret scanner: finds key-shaped strings ({@link KeyPatterns}: OpenAI's real formats and the
 * kit's demo format) in the files git would carry, in every commit of every ref, or in what is
 * staged for the next commit. A {@link Hit} holds the value masked, never whole.
 */
final class KeyScan {

    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    private KeyScan() {
    }

    /**
     * One key-shaped string found.
     *
     * @param place  {@code working tree}, {@code staged}, or {@code commit <id>}
     * @param file   the file's path relative to the scanned folder (or the repository, for history)
     * @param line   1-based line number
     * @param rule   which key shape it matched
     * @param masked the value masked: first 8 characters, {@code ***}, last 4
     */
    record Hit(String place, String file, int line, String rule, String masked) {

        @Override
        public String toString() {
            return place + "  " + file + ":" + line + "  " + rule + "  " + masked;
        }
    }

    /** The git repository holding {@code dir}, or null outside one. */
    static Repository openRepository(Path dir) throws IOException {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toFile());
        return builder.getGitDir() == null ? null : builder.build();
    }

    /**
     * Files below {@code dir} that git would carry: tracked, and untracked but not ignored. Outside
     * a repository: every file below {@code dir} except {@code .git/} and {@code target/}.
     */
    static List<Hit> workingTree(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        List<Hit> hits = new ArrayList<>();
        try (Repository repo = openRepository(absolute)) {
            if (repo == null || repo.isBare()) {
                try (Stream<Path> files = Files.walk(absolute)) {
                    for (Path file : files.filter(Files::isRegularFile)
                            .filter(p -> !absolute.relativize(p).toString().replace('\\', '/')
                                    .matches("(.*/)?(target|\\.git)/.*"))
                            .sorted().toList()) {
                        hits.addAll(inText("working tree", relative(absolute, file), read(file)));
                    }
                }
                return hits;
            }
            Path top = repo.getWorkTree().toPath().toAbsolutePath().normalize();
            String prefix = top.relativize(absolute).toString().replace('\\', '/');
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
            for (String path : paths) {
                Path file = top.resolve(path);
                if (Files.isRegularFile(file)) {
                    hits.addAll(inText("working tree", relative(absolute, file), read(file)));
                }
            }
            return hits;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new KitException("git status failed in " + dir + ": " + e.getMessage(), 1);
        }
    }

    /**
     * Every version of every file in every commit reachable from any ref (branches, tags, remotes,
     * stash), for the files below {@code dir}: a key deleted in a later commit is still found. Each
     * distinct file version is reported once, at the newest commit that holds it; paths are the
     * repository's. Empty outside a repository.
     */
    static List<Hit> history(Path dir) {
        List<Hit> hits = new ArrayList<>();
        Path absolute = dir.toAbsolutePath().normalize();
        try (Repository repo = openRepository(absolute)) {
            if (repo == null) {
                return hits;
            }
            String prefix = repo.isBare() ? ""
                    : repo.getWorkTree().toPath().toAbsolutePath().normalize().relativize(absolute).toString().replace('\\', '/');
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
                            hits.addAll(inText("commit " + commit.abbreviate(10).name(), tree.getPathString(),
                                    readBlob(repo, blob)));
                        }
                    }
                }
            }
            return hits;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the next commit would add: each staged file whose content differs from HEAD's (every
     * staged file before the first commit). This is what the pre-commit hook checks.
     */
    static List<Hit> staged(Path dir) {
        List<Hit> hits = new ArrayList<>();
        try (Repository repo = openRepository(dir.toAbsolutePath().normalize())) {
            if (repo == null || repo.isBare()) {
                throw new KitException(dir + " is not in a git repository with a work tree: --staged needs one.");
            }
            ObjectId head = repo.resolve(Constants.HEAD + "^{tree}");
            DirCache index = repo.readDirCache();
            for (int i = 0; i < index.getEntryCount(); i++) {
                DirCacheEntry entry = index.getEntry(i);
                if (entry.getFileMode() == FileMode.GITLINK) {
                    continue;
                }
                if (head != null) {
                    try (TreeWalk before = TreeWalk.forPath(repo, entry.getPathString(), head)) {
                        if (before != null && before.getObjectId(0).equals(entry.getObjectId())) {
                            continue;
                        }
                    }
                }
                hits.addAll(inText("staged", entry.getPathString(), readBlob(repo, entry.getObjectId())));
            }
            return hits;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key-shaped strings in one file's text. */
    static List<Hit> inText(String place, String file, String text) {
        List<Hit> hits = new ArrayList<>();
        for (KeyPatterns.Match match : KeyPatterns.all().matches(text)) {
            hits.add(new Hit(place, file, match.line(), match.rule(), match.masked()));
        }
        hits.sort(java.util.Comparator.comparingInt(Hit::line));
        return hits;
    }

    private static String relative(Path base, Path file) {
        String path = base.relativize(file).toString().replace('\\', '/');
        return path.isEmpty() ? file.getFileName().toString() : path;
    }

    // Bytes as ISO-8859-1: class files and other binaries are searched byte for byte.
    private static String read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            return "";
        }
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }

    private static String readBlob(Repository repo, ObjectId blob) throws IOException {
        ObjectLoader loader = repo.open(blob, Constants.OBJ_BLOB);
        if (loader.getSize() > MAX_FILE_BYTES) {
            return "";
        }
        return new String(loader.getBytes(), StandardCharsets.ISO_8859_1);
    }
}
