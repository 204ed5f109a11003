package dev.keysafe.workshop.tour;

import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.GitPlaces;
import dev.keysafe.workshop.Module;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The places a key can sit without any run: key-shaped strings in a module's files, its build
 * output and (once the module is committed) its git history.
 */
final class StaticPlaces {

    private StaticPlaces() {
    }

    /** Searches the module's folder {@code dir} and adds each place to {@code report}. */
    static void search(Module module, Path dir, Report report) {
        report.place("source files", Detectors.inWorkingTree(KeyPatterns.all(), dir), true);
        report.place("build output", Detectors.inBuildOutput(KeyPatterns.all(), dir), true);
        if (!GitPlaces.isInGitCheckout(dir)) {
            report.notes.add("git history not checked: this is not a git checkout");
        } else if (!hasCommits(dir)) {
            report.notes.add("git history not checked: " + module.folder() + " has no commits yet"
                    + " (once committed, history keeps whatever it holds)");
        } else {
            report.place("git history", Detectors.inGitHistory(KeyPatterns.all(), dir), true);
        }
    }

    /** Whether git history holds any commit touching {@code dir}: before that, none can hold its key. */
    private static boolean hasCommits(Path dir) {
        try (Repository repo = new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toFile()).build();
             Git git = new Git(repo)) {
            if (repo.resolve(Constants.HEAD) == null) {
                return false;
            }
            Path top = repo.getWorkTree().toPath().toAbsolutePath().normalize();
            String path = top.relativize(dir.toAbsolutePath().normalize()).toString().replace('\\', '/');
            return git.log().addPath(path).setMaxCount(1).call().iterator().hasNext();
        } catch (IOException | GitAPIException e) {
            return false;
        }
    }
}
