package dev.keysafe.workshop.scan;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.shared.WhichCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.eclipse.jgit.lib.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit hooks install [REPO]}: installs a git pre-commit hook that runs the kit's scanner
 * on what is staged and blocks a commit that would add a key-shaped string.
 */
@Command(name = "hooks", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        usageHelpAutoWidth = true, synopsisSubcommandLabel = "COMMAND",
        subcommands = HooksCommand.Install.class,
        description = {
            "Git hooks that keep keys out of commits.",
            "",
            "The pre-commit hook runs the kit's staged scan (what ./kit scan --staged does, started without the "
                    + "launcher by workshop/bin/keysafe-pre-commit) before every commit. When the commit "
                    + "would add a key-shaped string it is blocked, with the file and line (the value masked) and the "
                    + "way out. Findings accepted in the repository's .keysafe-baseline.json, and lines with a "
                    + "keysafe:allow comment and its reason, do not block.",
            "",
            "Teams on the pre-commit framework use the kit's .pre-commit-hooks.yaml instead (workshop/SCAN.md)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./kit hooks install              this repository",
            "  ./kit hooks install ~/code/app   another repository",
            "",
            "Exit codes:",
            "  0   installed",
            "  64  bad input: not a git repository, or a pre-commit hook that is not the kit's is already there"
        })
public final class HooksCommand implements Callable<Integer> {

    /** The line that marks a hook as the kit's, so reinstalling replaces only our own. */
    static final String MARKER = "# keysafe pre-commit hook";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return WhichCommand.ask(spec, "which hooks command? (install)");
    }

    /** The script the hook runs: the staged scan, started quickly (the launcher's own checks are skipped). */
    static final String SCAN_SCRIPT = "workshop/bin/keysafe-pre-commit";

    /**
     * The hook's text: a POSIX sh script that runs this checkout's {@link #SCAN_SCRIPT} by its
     * absolute path (or {@code kit scan --staged}, for a checkout older than the script).
     */
    static String hookScript(Path kit) {
        String quoted = "'" + kit.toString().replace("'", "'\\''") + "'";
        return "#!/bin/sh\n"
                + MARKER + " (installed by ./kit hooks install; reinstalling replaces it).\n"
                + "# Blocks a commit that would add a key-shaped string. Needs only a JDK and git.\n"
                + "# Findings accepted in .keysafe-baseline.json (./kit scan --write-baseline) do not block.\n"
                + "KIT=" + quoted + "\n"
                + "if [ ! -x \"$KIT\" ]; then\n"
                + "  echo \"keysafe: cannot scan this commit: $KIT is missing. Reinstall the hook with ./kit hooks install,\" >&2\n"
                + "  echo \"or remove .git/hooks/pre-commit.\" >&2\n"
                + "  exit 1\n"
                + "fi\n"
                + "SCAN=$(dirname \"$KIT\")/" + SCAN_SCRIPT + "\n"
                + "if [ -x \"$SCAN\" ]; then\n"
                + "  \"$SCAN\" >&2\n"
                + "else\n"
                + "  \"$KIT\" scan --staged . >&2\n"
                + "fi\n"
                + "status=$?\n"
                + "if [ \"$status\" -eq 1 ]; then\n"
                + "  echo \"keysafe: commit blocked (the key-shaped values above are masked).\" >&2\n"
                + "  exit 1\n"
                + "elif [ \"$status\" -ne 0 ]; then\n"
                + "  echo \"keysafe: the scan could not run (exit $status); commit blocked. Only if you are sure: git commit --no-verify\" >&2\n"
                + "  exit 1\n"
                + "fi\n"
                + "exit 0\n";
    }

    /** {@code ./kit hooks install [REPO]}. */
    @Command(name = "install", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
            usageHelpAutoWidth = true,
            description = {
                "Installs the pre-commit hook in a git repository (.git/hooks/pre-commit).",
                "",
                "The hook calls this checkout's ./kit by its absolute path: move the checkout, and install again."
            },
            footerHeading = "%nExamples:%n",
            footer = {
                "  ./kit hooks install",
                "  ./kit hooks install ../my-app",
                "",
                "Exit codes:",
                "  0   installed (or reinstalled)",
                "  64  not a git repository, or another pre-commit hook is already there (it is never overwritten)"
            })
    static final class Install implements Callable<Integer> {

        private final Workspace workspace;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "REPO",
                description = "The repository (any folder in it). Default: the current directory's.")
        String repo;

        Install(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public Integer call() throws IOException {
            Path dir = ScanRun.folder(workspace.workingDir(), repo, ExitCode.KIT_USAGE);
            Path hooks;
            Path top;
            try (Repository repository = KeyScan.openRepository(dir)) {
                if (repository == null || repository.isBare()) {
                    throw new KitException(dir + " is not in a git repository with a work tree. Run git init there,"
                            + " or give the repository: ./kit hooks install REPO");
                }
                top = repository.getWorkTree().toPath().toAbsolutePath().normalize();
                String custom = repository.getConfig().getString("core", null, "hooksPath");
                hooks = custom != null
                        ? repository.getWorkTree().toPath().resolve(custom).normalize()
                        : repository.getDirectory().toPath().resolve("hooks");
            }
            Path hook = hooks.resolve("pre-commit");
            Path root = workspace.catalog().root().toAbsolutePath().normalize();
            if (Files.exists(hook) && !Files.readString(hook).contains(MARKER)) {
                throw new KitException(hook + " already exists and is not the kit's; it was left alone. Add this"
                        + " line to it instead: " + root.resolve(SCAN_SCRIPT) + " || exit 1 (the same scan as "
                        + root.resolve("kit") + " scan --staged, started faster).");
            }
            Files.createDirectories(hooks);
            Files.writeString(hook, hookScript(root.resolve("kit")));
            if (!hook.toFile().setExecutable(true, false)) {
                throw new KitException("cannot make " + hook + " executable: chmod +x it.", ExitCode.FAILED);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("installed: " + hook);
            out.println("Every commit in this repository is now scanned first by " + root.resolve(SCAN_SCRIPT)
                    + "; one that adds a key-shaped string is blocked.");
            // In another repository there is no ./kit: name the command that works from there.
            String kit = top.equals(root) ? "./kit" : root.resolve("kit").toString();
            out.println("Try it: " + kit + " scan --staged shows what the hook sees.");
            out.flush();
            return ExitCode.OK;
        }
    }
}
