package dev.keysafe.workshop.scan;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.Workspace;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit scan [PATH]}: the kit's secret scanner. Reports every key-shaped string in the
 * files git would carry and in git history, with file, line and commit, the value masked, as
 * text, JSON or SARIF; accepted findings stay quiet (a baseline, an allow comment).
 */
@Command(name = "scan", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Finds key-shaped strings in a folder and its git history.",
            "",
            "Rules: OpenAI (sk-proj-, sk-svcacct-, sk-admin-, legacy sk-, recognised by the marker every real key "
                    + "carries), Anthropic, AWS access key ids and the secret key next to one, GitHub (classic and "
                    + "fine-grained), Google API keys, Slack tokens and webhooks, Hugging Face, Stripe live keys, PEM "
                    + "private keys, and the kit's demo format (sk-keysafe-demo-...). Placeholders, masked values, "
                    + "AWS's documented examples, UUIDs and hashes are not reported.",
            "",
            "It reads the files git would carry (tracked, and untracked but not ignored), then every version of "
                    + "every file in every commit of every branch and tag: a key deleted in a later commit is still "
                    + "in history, and still leaked. Each file is also read decoded: UTF-16, base64 runs (a "
                    + "Kubernetes Secret's data:), percent-encoding, and .jar/.zip archives nested once "
                    + "(app.jar!/config/app.properties:3).",
            "",
            "Each finding shows where and the value masked (first 8 characters, ***, last 4): the scanner never "
                    + "prints a key whole, in any format.",
            "",
            "Accepting a finding: put keysafe:allow and a reason in a comment on its line "
                    + "(// keysafe:allow demo key of the negative control); that value is then allowed everywhere in "
                    + "the scan, its older commits included. An allow without a reason does not count. Or record "
                    + "today's findings with --write-baseline and scan with --baseline: only new ones are reported.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./kit scan                                   this folder and its history",
            "  ./kit scan ~/code/my-app                     another project",
            "  ./kit scan --staged                          what the next commit would add (the pre-commit hook)",
            "  ./kit scan --format sarif > keysafe.sarif    for code scanning (workshop/SCAN.md has a CI recipe)",
            "  ./kit scan --write-baseline .keysafe-baseline.json   accept today's findings",
            "  ./kit scan --baseline .keysafe-baseline.json         report only new ones",
            "",
            "Exit codes:",
            "  0   clean: nothing key-shaped found, or only accepted findings (allowed, in the baseline);",
            "      --write-baseline: the baseline was written",
            "  1   key-shaped strings found (listed, masked)",
            "  2   cannot scan: the path does not exist or is not a folder; --staged outside a git repository;",
            "      the baseline is missing, unreadable or not a baseline, or cannot be written",
            "",
            "Found a key? Treat it as leaked: revoke it at its provider and make a new one, remove it from the code "
                    + "(read it from an environment variable instead), then clean history.",
            "More: workshop/SCAN.md (rules, decoding, formats, baseline, hook, CI, speed, limits)."
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
                    + "as the pre-commit hook does. No history.")
    boolean staged;

    @Option(names = "--no-history", description = "Skip git history: the working tree only.")
    boolean noHistory;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default: one line per finding), json (for scripts: findings, allowed ones with "
                    + "their reasons, exit code), or sarif (SARIF 2.1.0 for code-scanning uploads). JSON and SARIF "
                    + "go to stdout, a one-line summary to stderr.")
    ScanRun.Format format;

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "Report only findings this baseline does not list. A baseline that is missing, "
                    + "unreadable or malformed stops the scan (exit 2).")
    Path baseline;

    @Option(names = "--write-baseline", paramLabel = "FILE",
            description = "Record today's findings in FILE by fingerprint (SHA-256 of rule, file and the key's "
                    + "own SHA-256: no key in the file), then exit 0. Commit the file.")
    Path writeBaseline;

    ScanCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() {
        Path dir = ScanRun.folder(workspace.workingDir(), path, ExitCode.CONFIG);
        ScanRun.Scope scope = staged ? ScanRun.Scope.STAGED
                : noHistory ? ScanRun.Scope.WORKING_TREE : ScanRun.Scope.ALL;
        ScanRun run = new ScanRun(dir, scope, format, file(baseline), file(writeBaseline), workspace.catalog().root());
        return run.run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    private Path file(Path given) {
        return given == null ? null : workspace.workingDir().resolve(given).normalize();
    }
}
