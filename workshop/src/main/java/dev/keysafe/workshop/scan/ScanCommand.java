package dev.keysafe.workshop.scan;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.Workspace;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit scan [PATH]}: the kit's secret scanner. Reports every key-shaped string in the
 * files git would carry and in git history, with file, line and commit, the value masked.
 */
@Command(name = "scan", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Finds key-shaped strings in a folder and its git history.",
            "",
            "Looks for OpenAI's key formats (sk-proj-, sk-svcacct-, sk-admin- and legacy sk- keys, recognised by "
                    + "the marker every real key carries) and the kit's demo format (sk-keysafe-demo-...). It reads the "
                    + "files git would carry (tracked, and untracked but not ignored), then every version of every "
                    + "file in every commit of every branch and tag: a key deleted in a later commit is still in "
                    + "history, and still leaked.",
            "",
            "Each finding shows where (file and line, and the commit for history) and the value masked "
                    + "(first 8 characters, ***, last 4): the scanner never prints a key whole. "
                    + "Placeholders such as sk-your-key-here and words such as sk-learn are not keys and are not reported."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./kit scan                  this folder and its history",
            "  ./kit scan ~/code/my-app    another project",
            "  ./kit scan --staged         what the next commit would add (the pre-commit hook runs this)",
            "",
            "Exit codes:",
            "  0   clean: nothing key-shaped found",
            "  1   key-shaped strings found (listed, masked)",
            "  2   cannot scan the given path: it does not exist or is not a folder; --staged outside a git repository",
            "",
            "Found a key? Treat it as leaked: revoke it in the OpenAI dashboard and make a new one, remove it "
                    + "from the code (read it from an environment variable instead), then clean history.",
            "Production teams add GitHub push protection, gitleaks or trufflehog (workshop/README.md)."
        })
public final class ScanCommand implements Callable<Integer> {

    private final Workspace workspace;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH",
            description = "The folder to scan. Default: the current directory.")
    String path;

    @Option(names = "--staged",
            description = "Scan only what is staged for the next commit (files that differ from HEAD), "
                    + "as the pre-commit hook does.")
    boolean staged;

    @Option(names = "--no-history", description = "Skip git history: the working tree only.")
    boolean noHistory;

    ScanCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() {
        Path dir = resolve(workspace.workingDir(), path, ExitCode.CONFIG);
        PrintWriter out = spec.commandLine().getOut();
        List<KeyScan.Hit> hits = new ArrayList<>();
        if (staged) {
            hits.addAll(KeyScan.staged(dir));
        } else {
            hits.addAll(KeyScan.workingTree(dir));
            if (!noHistory) {
                hits.addAll(KeyScan.history(dir));
            }
        }
        out.println("keysafe scan: " + dir + (staged ? " (staged changes)" : noHistory ? " (working tree)"
                : " (working tree and git history)"));
        for (KeyScan.Hit hit : hits) {
            out.println("  " + hit);
        }
        if (hits.isEmpty()) {
            out.println("clean: no key-shaped string found.");
            out.flush();
            return ExitCode.OK;
        }
        Set<String> files = new LinkedHashSet<>();
        Set<String> commits = new LinkedHashSet<>();
        for (KeyScan.Hit hit : hits) {
            files.add(hit.file());
            if (hit.place().startsWith("commit ")) {
                commits.add(hit.place());
            }
        }
        out.println("found " + hits.size() + " key-shaped string(s) in " + files.size() + " file(s)"
                + (commits.isEmpty() ? "" : ", " + commits.size() + " of them in git history") + ".");
        if (staged) {
            out.println("Commit blocked: it would add a key-shaped string. Remove it and read the key from an"
                    + " environment variable instead (OPENAI_API_KEY, see 02-env-vars), then git add again.");
            out.println("Only if this is a false positive (not a key): git commit --no-verify");
        } else {
            out.println("Treat each as leaked: revoke the key and make a new one, remove it from the code (use an"
                    + " environment variable), and clean git history (the scanning lab shows how: ./kit lab list).");
        }
        out.flush();
        return ExitCode.FAILED;
    }

    /**
     * The folder {@code path} names, relative to {@code base}; a one-line error exiting
     * {@code exitCode} when there is none (scan: {@link ExitCode#CONFIG}, a path it cannot read).
     */
    static Path resolve(Path base, String path, int exitCode) {
        Path dir = path == null || path.isBlank() ? base : base.resolve(path).toAbsolutePath().normalize();
        if (!Files.exists(dir)) {
            throw new KitException("nothing to scan: " + dir + " does not exist. Give a folder: ./kit scan PATH",
                    exitCode);
        }
        if (!Files.isDirectory(dir)) {
            throw new KitException("nothing to scan: " + dir + " is not a folder. Give a folder: ./kit scan PATH",
                    exitCode);
        }
        return dir;
    }
}
