package dev.keysafe.workshop.scan;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.workshop.KitException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A secret scanner: finds key-shaped strings ({@link KeyPatterns}: OpenAI's real formats and the
 * kit's demo format) in the files git would carry, in every commit of every ref, or in what is
 * staged for the next commit. A {@link Hit} holds the value masked, never whole.
 */
public final class KeyScan {

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
    public record Hit(String place, String file, int line, String rule, String masked) {

        @Override
        public String toString() {
            return place + "  " + file + ":" + line + "  " + rule + "  " + masked;
        }
    }

    /** The git repository holding {@code dir}, or null outside one. */
    public static Repository openRepository(Path dir) throws IOException {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toFile());
        return builder.getGitDir() == null ? null : builder.build();
    }

    /**
     * Files below {@code dir} that git would carry: tracked, and untracked but not ignored. Outside
     * a repository: every file below {@code dir} except {@code .git/} and {@code target/}.
     */
    public static List<Hit> workingTree(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        List<Hit> hits = new ArrayList<>();
        for (Path file : Detectors.workingTreeFiles(absolute)) {
            hits.addAll(inText("working tree", relative(absolute, file), Detectors.readLatin1(file)));
        }
        return hits;
    }

    /**
     * Every version of every file in every commit reachable from any ref (branches, tags, remotes,
     * stash), for the files below {@code dir}: a key deleted in a later commit is still found. Each
     * distinct file version is reported once, at the newest commit that holds it; paths are the
     * repository's. Empty outside a repository.
     */
    public static List<Hit> history(Path dir) {
        List<Hit> hits = new ArrayList<>();
        Detectors.forEachVersionInHistory(dir, version ->
                hits.addAll(inText("commit " + version.commit(), version.path(), version.text())));
        return hits;
    }

    /**
     * What the next commit would add: each staged file whose content differs from HEAD's (every
     * staged file before the first commit). This is what the pre-commit hook checks.
     */
    public static List<Hit> staged(Path dir) {
        List<Hit> hits = new ArrayList<>();
        try (Repository repo = openRepository(dir.toAbsolutePath().normalize())) {
            if (repo == null || repo.isBare()) {
                throw new KitException(dir + " is not in a git repository with a work tree: --staged needs one.",
                        ExitCode.CONFIG);
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

    private static String readBlob(Repository repo, ObjectId blob) throws IOException {
        ObjectLoader loader = repo.open(blob, Constants.OBJ_BLOB);
        if (loader.getSize() > MAX_FILE_BYTES) {
            return "";
        }
        return new String(loader.getBytes(), StandardCharsets.ISO_8859_1);
    }
}
