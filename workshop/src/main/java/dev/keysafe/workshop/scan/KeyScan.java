package dev.keysafe.workshop.scan;

import dev.keysafe.common.Sha256;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.leaks.GitPlaces;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A secret scanner: finds key-shaped strings ({@link KeyPatterns}: every provider's rules and the
 * kit's demo format) in the files git would carry, in every commit of every ref, or in what is
 * staged for the next commit, each file read every way {@link Contents} knows (archives, UTF-16,
 * base64, percent-encoding). A {@link Hit} holds the value masked, never whole. It reports every
 * hit, allowed or not: what a {@code keysafe:allow} comment or a baseline silences is decided by
 * {@code ./kit scan}, so the scanning lab's check cannot be talked out of a key.
 */
public final class KeyScan {

    private KeyScan() {
    }

    /**
     * One key-shaped string found.
     *
     * @param place    {@code working tree}, {@code staged}, or {@code commit <id>}
     * @param file     the file's path: the repository's (in a repository), else relative to the scanned
     *                 folder; an archive's entry follows {@code !/} ({@code app.jar!/config/app.properties})
     * @param line     1-based line number, in the file or the archive's entry
     * @param encoding how the value was decoded to be found ({@code base64}, {@code UTF-16LE},
     *                 {@code percent-encoded}), or null when it is there as is
     * @param ruleId   the rule's stable id ({@code aws-access-key-id})
     * @param rule     the rule's name
     * @param masked   the value masked: first 8 characters, {@code ***}, last 4
     * @param digest   SHA-256 of the value: tells one key found twice from two keys, without holding either
     * @param allow    the reason of a {@code keysafe:allow} comment on the line, "" for one without a
     *                 reason, null for none
     */
    public record Hit(String place, String file, int line, String encoding, String ruleId, String rule,
                      String masked, String digest, String allow) {

        /** {@code file:line}, and how it was decoded: {@code k8s/secret.yaml:7 (base64)}. */
        public String where() {
            return file + ":" + line + (encoding == null ? "" : " (" + encoding + ")");
        }

        /** The commit holding it, for a find in history; null otherwise. */
        public String commit() {
            return place.startsWith("commit ") ? place.substring("commit ".length()) : null;
        }

        /**
         * What a baseline records: SHA-256 of the rule, the file and the value's own SHA-256. No line,
         * so an edit above it does not bring it back; the file, so the same key copied somewhere new
         * (a log, another config) is reported again.
         */
        public String fingerprint() {
            return Sha256.hex("keysafe-finding-v1\n" + ruleId + "\n" + file + "\n" + digest);
        }

        @Override
        public String toString() {
            return place + "  " + where() + "  " + rule + "  " + masked;
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
        Path base = pathsRelativeTo(absolute);
        List<Hit> hits = new ArrayList<>();
        for (Path file : GitPlaces.workingTreeFiles(absolute)) {
            String path = base.relativize(file).toString().replace('\\', '/');
            hits.addAll(hits("working tree", inFile(path.isEmpty() ? file.getFileName().toString() : path, file)));
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
        GitPlaces.forEachVersionInHistory(dir, version -> hits.addAll(hits("commit " + version.commit(),
                Contents.scan(version.path(), version.text().getBytes(StandardCharsets.ISO_8859_1)))));
        return hits;
    }

    /**
     * What the next commit would add: each staged file whose content differs from HEAD's (every
     * staged file before the first commit), as git itself reports it ({@link GitStaged}). This is
     * what the pre-commit hook checks; no history, no Java git library.
     */
    public static List<Hit> staged(Path dir) {
        List<Hit> hits = new ArrayList<>();
        for (GitStaged.Blob blob : GitStaged.read(dir.toAbsolutePath().normalize())) {
            hits.addAll(hits("staged", Contents.scan(blob.path(), blob.bytes())));
        }
        return hits;
    }

    private static List<Contents.Found> inFile(String path, Path file) {
        try {
            if (Files.size(file) <= Contents.MAX_BYTES) {
                return Contents.scan(path, Files.readAllBytes(file));
            }
            // Too big to read whole: only an archive is worth opening, entry by entry.
            byte[] head = new byte[4];
            try (InputStream in = Files.newInputStream(file)) {
                if (in.readNBytes(head, 0, 4) < 4 || !Contents.isArchive(head)) {
                    return List.of();
                }
            }
            try (InputStream in = Files.newInputStream(file)) {
                return Contents.scanArchive(path, in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<Hit> hits(String place, List<Contents.Found> found) {
        List<Hit> hits = new ArrayList<>();
        for (Contents.Found f : found) {
            hits.add(new Hit(place, f.path(), f.line(), f.encoding(), f.match().ruleId(), f.match().rule(),
                    f.match().masked(), f.match().digest(), f.allow()));
        }
        hits.sort(Comparator.comparing(Hit::file).thenComparingInt(Hit::line));
        return hits;
    }

    /**
     * The folder the paths of a scan of {@code dir} are relative to: the top of the work tree holding
     * it, so working-tree paths match history's, or {@code dir} itself outside git.
     */
    static Path pathsRelativeTo(Path dir) {
        try (Repository repo = openRepository(dir)) {
            return repo == null || repo.isBare() ? dir : repo.getWorkTree().toPath().toAbsolutePath().normalize();
        } catch (IOException e) {
            return dir;
        }
    }
}
