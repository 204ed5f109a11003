package dev.keysafe.dotenv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kit's .gitignore keeps secret files out of git: a .env (and .env.local, *.key) written into
 * this module is ignored, while the .env.example template is not. Asked of the real checkout when
 * the module is in one; otherwise of a scratch repository holding a copy of the kit's .gitignore.
 */
class GitIgnoreRulesTest {

    private static final List<String> SECRET_FILES = List.of(".env", ".env.local", "x.key");

    @TempDir
    Path scratch;

    private final Path moduleDir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();

    @Test
    void dotenv_files_and_key_files_in_the_module_are_ignored_by_git() throws Exception {
        try (Checkout checkout = Checkout.of(moduleDir, scratch)) {
            List<Path> written = new ArrayList<>();
            try {
                for (String name : SECRET_FILES) {
                    Path file = checkout.dir.resolve(name);
                    // A learner's own .env stays untouched: it is checked as it is.
                    if (!Files.exists(file)) {
                        Files.writeString(file, "OPENAI_API_KEY=written-by-the-ignore-rules-test\n");
                        written.add(file);
                    }
                }

                Status status = checkout.status();

                for (String name : SECRET_FILES) {
                    assertThat(status.getIgnoredNotInIndex()).as("ignored").contains(checkout.gitPath(name));
                    assertThat(status.getUntracked()).as("would be committed").doesNotContain(checkout.gitPath(name));
                }
            } finally {
                for (Path file : written) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    @Test
    void env_example_is_not_ignored_so_it_can_be_committed() throws Exception {
        try (Checkout checkout = Checkout.of(moduleDir, scratch)) {
            String example = checkout.gitPath(".env.example");
            assertThat(checkout.dir.resolve(".env.example")).exists();

            Status status = checkout.status();

            assertThat(status.getIgnoredNotInIndex()).doesNotContain(example);
            boolean tracked = checkout.git.getRepository().readDirCache().findEntry(example) >= 0;
            assertThat(tracked || status.getUntracked().contains(example))
                    .as("tracked, or untracked and not ignored: git add would take it").isTrue();
        }
    }

    /** The module's folder in a git repository: the real checkout, or a scratch one. */
    private record Checkout(Git git, Path dir, String prefix) implements AutoCloseable {

        static Checkout of(Path moduleDir, Path scratch) throws IOException, GitAPIException {
            FileRepositoryBuilder found = new FileRepositoryBuilder().findGitDir(moduleDir.toFile());
            if (found.getGitDir() != null) {
                Repository repo = found.build();
                Path top = repo.getWorkTree().toPath().toAbsolutePath().normalize();
                return new Checkout(new Git(repo), moduleDir, top.relativize(moduleDir).toString().replace('\\', '/'));
            }
            // Not a checkout (a source download): the same rules, in a repository of our own.
            Path rules = moduleDir.getParent().resolve(".gitignore");
            assertThat(rules).as("the kit's .gitignore").exists();
            Git git = Git.init().setDirectory(scratch.toFile()).call();
            Files.copy(rules, scratch.resolve(".gitignore"));
            Path dir = Files.createDirectories(scratch.resolve(moduleDir.getFileName().toString()));
            Files.copy(moduleDir.resolve(".env.example"), dir.resolve(".env.example"));
            return new Checkout(git, dir, moduleDir.getFileName().toString());
        }

        String gitPath(String name) {
            return prefix.isEmpty() ? name : prefix + "/" + name;
        }

        Status status() throws GitAPIException {
            return prefix.isEmpty() ? git.status().call() : git.status().addPath(prefix).call();
        }

        @Override
        public void close() {
            git.getRepository().close();
            git.close();
        }
    }
}
