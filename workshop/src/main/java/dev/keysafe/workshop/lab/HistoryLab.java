package dev.keysafe.workshop.lab;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import dev.keysafe.workshop.scan.KeyScan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * Lab 01, the key that was "deleted": a small git repository whose first commit (tagged
 * {@code v0.1}) hardcodes a demo key and whose second reads it from the environment. Solved when
 * nothing in the repository, its history included, holds the key, and today's file is kept.
 */
final class HistoryLab {

    static final String APP = "App.java";

    /** The documented solution, shown only by {@code ./kit lab solution 01}. */
    static final List<String> PROCEDURE = List.of(
            "There is more than one way. The simplest, for a small repository: keep today's files, start",
            "history afresh, and delete what still reaches the old commits.",
            "",
            "  cd labs-work/01-history",
            "  git checkout --orphan clean      # a new branch with no history, today's files staged",
            "  git commit -m \"weather-bot, key read from OPENAI_API_KEY\"",
            "  git branch -D main               # the old history's branch...",
            "  git tag -d v0.1                  # ...and the tag that also reaches it",
            "  git branch -m main               # the clean branch becomes main",
            "",
            "To keep history instead, rewrite only the first commit (git rebase -i --root, edit it) and",
            "move the tag, or use git filter-repo --replace-text. After git filter-branch, delete",
            "refs/original/ too. On a shared repository everyone must re-clone, and the server's copy must",
            "be force-pushed; GitHub also keeps cached views, which its support can purge. And first of",
            "all, in real life: revoke the key, since you cannot know who cloned it.");

    private HistoryLab() {
    }

    /** Builds the repository: the key committed and tagged, then "removed" in a second commit. */
    static void start(Path copy) throws Exception {
        String key = KeyPatterns.DEMO_PREFIX + Canary.fresh().value().substring(8, 40);
        PersonIdent author = new PersonIdent("A Hurried Developer", "dev@example.invalid");
        try (Git git = Git.init().setDirectory(copy.toFile()).setInitialBranch("main").call()) {
            Files.writeString(copy.resolve("README.md"), "# weather-bot\n\nAsks the model about the weather.\n");
            Files.writeString(copy.resolve(APP), app("\"" + key + "\"; // TODO move out before release"));
            git.add().addFilepattern(".").call();
            git.commit().setMessage("first version").setAuthor(author).setCommitter(author).setSign(false).call();
            git.tag().setName("v0.1").setAnnotated(false).call();
            Files.writeString(copy.resolve(APP), app("System.getenv(\"OPENAI_API_KEY\");"));
            git.add().addFilepattern(".").call();
            git.commit().setMessage("read the key from the environment").setAuthor(author).setCommitter(author)
                    .setSign(false).call();
        }
    }

    private static String app(String keyExpression) {
        return "public class App {\n"
                + "    static final String API_KEY = " + keyExpression + "\n"
                + "\n"
                + "    public static void main(String[] args) {\n"
                + "        System.out.println(\"weather-bot ready\");\n"
                + "    }\n"
                + "}\n";
    }

    static List<Problem> check(LabRun run) throws IOException {
        List<Problem> problems = new ArrayList<>();
        Path copy = run.copy();
        if (!Files.isDirectory(copy.resolve(".git"))) {
            problems.add(new Problem(copy + " is no longer a git repository",
                    "deleting .git throws away the project's history too; start over (./kit lab start 01 --over)"
                            + " and rewrite history instead"));
            return problems;
        }
        Path app = copy.resolve(APP);
        if (!Files.isRegularFile(app) || !Files.readString(app).contains("getenv(\"OPENAI_API_KEY\")")) {
            problems.add(new Problem(APP + " no longer reads the key from OPENAI_API_KEY",
                    "keep today's version of the app: only its past must go"));
        }
        if (!hasCommits(copy)) {
            problems.add(new Problem("the repository has no commits", "keep the project's work committed"));
        }
        for (KeyScan.Hit hit : KeyScan.workingTree(copy)) {
            problems.add(new Problem("working tree: " + hit, "a file still holds the key"));
        }
        for (KeyScan.Hit hit : KeyScan.history(copy)) {
            problems.add(new Problem("history: " + hit, "a branch or tag still reaches this commit: rewrite or"
                    + " delete what reaches it (git log --all --oneline shows them)"));
        }
        return problems;
    }

    private static boolean hasCommits(Path dir) {
        try (var repo = KeyScan.openRepository(dir)) {
            return repo != null && repo.resolve("HEAD") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
