package dev.keysafe.workshop.lab;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import dev.keysafe.workshop.shared.ErrorLine;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.jgit.ignore.IgnoreNode;

/**
 * Lab 03's check, the {@code .env} traps: git's own ignore rules must keep every {@code .env}
 * out and the template in, and a malformed line must be reported the way module 03 does: exit 2,
 * naming the file and the line number, never the line. A message that hides the key but names
 * neither the file nor the line fails: the user could not find what to fix.
 */
final class DotenvCheck {

    /** The malformed line's number in the planted file: a comment and a setting come first. */
    static final int MALFORMED_LINE = 3;
    private static final Pattern NAMES_THE_LINE = Pattern.compile(
            "(?i)\\bline\\s*(number\\s*)?#?\\s*" + MALFORMED_LINE + "\\b|\\.env:" + MALFORMED_LINE + "\\b");

    private DotenvCheck() {
    }

    static List<Problem> run(LabRun run) throws IOException {
        List<Problem> problems = new ArrayList<>(ignoreRules(run.copy().resolve(".gitignore")));
        problems.addAll(run.probe("a normal run with the key in .env", Scenario.HAPPY_PATH,
                (launch, key) -> launch.file(".env", "OPENAI_API_KEY=" + key.value() + "\n")).problems());
        problems.addAll(malformedLine(run));
        return problems;
    }

    private static List<Problem> ignoreRules(Path ignoreFile) throws IOException {
        List<Problem> problems = new ArrayList<>();
        IgnoreNode rules = new IgnoreNode();
        if (Files.isRegularFile(ignoreFile)) {
            rules.parse(new ByteArrayInputStream(Files.readAllBytes(ignoreFile)));
        }
        for (String secret : List.of(".env", ".env.local", ".env.production", "config/.env")) {
            if (!Boolean.TRUE.equals(rules.checkIgnored(secret, false))) {
                problems.add(new Problem(".gitignore: " + secret + " is not ignored, so git add . would commit it",
                        "add a rule for .env and its variants (.env.*)"));
            }
        }
        if (Boolean.TRUE.equals(rules.checkIgnored(".env.example", false))) {
            problems.add(new Problem(".gitignore: .env.example is ignored",
                    "the template (names, no values) should be committed: un-ignore it with a ! rule"));
        }
        return problems;
    }

    /** A stray quote after the key, pasted along with it from a JSON file: a common typo in a .env file. */
    static List<Problem> malformedLine(LabRun run) {
        List<Problem> problems = new ArrayList<>();
        Canary key = Canary.fresh();
        try (OpenAiStub stub = OpenAiStub.start()) {
            stub.acceptKeys(key.value());
            RunResult result = run.run(run.launch().file(".env",
                    "# local settings\nOPENAI_MODEL=gpt-4o-mini\nOPENAI_API_KEY=" + key.value() + "\"\n"), stub);
            String what = "a .env with a malformed line " + MALFORMED_LINE + " (a stray quote after the key)";
            for (String form : key.formsIn(result.stdout() + "\n" + result.stderr())) {
                problems.add(new Problem(what + ": the error message prints the key (" + form + ")",
                        "a message about a bad line may say which file and which line number, never the line"));
            }
            if (result.exitCode() != ExitCode.CONFIG) {
                problems.add(new Problem(what + ": it exited " + result.exitCode() + ", not 2 (a setting is wrong)",
                        "a .env it cannot read is a setup error: module 03 stops with exit 2 and one clear line"));
            }
            String line = ErrorLine.in(result.stderr());
            if (!line.contains(".env") || !NAMES_THE_LINE.matcher(line).find()) {
                problems.add(new Problem(what + ": its message does not name the file and the line number: "
                        + LabRun.quoted(result.stderr(), key),
                        "the user must be able to find what to fix: say which file and which line (\"line "
                                + MALFORMED_LINE + "\"), never what the line holds"));
            }
        }
        return problems;
    }
}
