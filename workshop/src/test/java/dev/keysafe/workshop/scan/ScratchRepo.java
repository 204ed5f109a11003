package dev.keysafe.workshop.scan;

import dev.keysafe.testkit.KeyShapes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * A throwaway git repository in a test's temporary folder, and key-shaped strings made at run
 * time (no file of the kit holds one).
 */
final class ScratchRepo implements AutoCloseable {

    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    final Path dir;
    final Git git;

    private ScratchRepo(Path dir, Git git) {
        this.dir = dir;
        this.git = git;
    }

    static ScratchRepo init(Path dir) {
        try {
            return new ScratchRepo(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Shaped like a real OpenAI key of the given prefix ({@code sk-proj-}, {@code sk-} for legacy...). */
    static String realShaped(String prefix) {
        return KeyShapes.openAi(prefix);
    }

    /** Shaped like the kit's demo key. */
    static String demoShaped() {
        return KeyShapes.demo();
    }

    static String random(int length) {
        return KeyShapes.random(ALNUM, length);
    }

    ScratchRepo write(String path, String content) {
        try {
            Path file = dir.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ScratchRepo delete(String path) {
        try {
            Files.delete(dir.resolve(path));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stages everything (deletions too) and commits; returns the commit id, abbreviated to 10. */
    String commitAll(String message) {
        try {
            git.add().addFilepattern(".").call();
            git.add().addFilepattern(".").setUpdate(true).call();
            return git.commit().setMessage(message).setAuthor("Learner", "learner@example.invalid")
                    .setCommitter("Learner", "learner@example.invalid").setSign(false).call().abbreviate(10).name();
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    ScratchRepo stage(String path) {
        try {
            git.add().addFilepattern(path).call();
            return this;
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
