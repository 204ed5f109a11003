package dev.keysafe.workshop.lab;

import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * Lab 01's documented solution, done to a learner's copy as a learner would: one fresh commit of
 * today's files on a new main, the old branch and its tag gone, so nothing reaches the key.
 */
final class HistoryRewrite {

    private HistoryRewrite() {
    }

    static void apply(Path copy) throws Exception {
        try (Git git = Git.open(copy.toFile())) {
            PersonIdent me = new PersonIdent("Learner", "learner@example.invalid");
            git.checkout().setOrphan(true).setName("clean").call();
            git.commit().setMessage("weather-bot, key from the environment").setAuthor(me).setCommitter(me)
                    .setSign(false).call();
            git.branchDelete().setBranchNames("main").setForce(true).call();
            git.branchRename().setOldName("clean").setNewName("main").call();
            git.tagDelete().setTags("v0.1").call();
        }
    }
}
