package dev.keysafe.workshop.lab;

import dev.keysafe.common.Json;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.lab.Lab.LabFile;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import dev.keysafe.workshop.scan.KeyScan;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.ignore.IgnoreNode;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The workshop's labs, in order. Adding one is one entry in {@link #LABS}, a
 * {@code labs/<name>/README.md} and the starter files below {@code labs/<name>/starter/}.
 */
public final class Labs {

    private static final String ENV_VARS = "02-env-vars/src/main/java/dev/keysafe/envvars/";
    private static final String DOTENV = "03-dotenv/src/main/java/dev/keysafe/dotenv/";
    private static final String PER_ENV = "04-per-environment/src/main/java/dev/keysafe/perenv/";
    private static final String SECRETS = "05-secrets-manager/src/main/java/dev/keysafe/secretsmanager/";
    private static final String PROXY = "06-server-proxy/src/main/java/dev/keysafe/proxy/";

    /** Every lab. To add one: one entry, in order. */
    public static final List<Lab> LABS = List.of(
            new Lab("01", "01-history", "a key was committed, then \"deleted\": get it out of git history",
                    null, null, List.of(),
                    List.of("Run ./kit scan labs-work/01-history: where is the key still found?",
                            "Deleting the line in a new commit does not help: every older commit still holds it.",
                            "A commit is kept alive by every ref that reaches it: branches AND tags.",
                            "Rewrite history so that no branch or tag reaches a commit with the key (git rebase -i,"
                                    + " or a fresh commit of today's files). Backup refs (refs/original/) count too."),
                    Labs::checkHistory, Labs::startHistory),
            new Lab("02", "02-logged-key", "a debug line and a forwarded error print the key",
                    "02", "dev.keysafe.envvars.Ask",
                    List.of(new LabFile("dev/keysafe/envvars/Ask.java", ENV_VARS + "Ask.java")),
                    List.of("Run ./kit lab check 02 and read which runs leak: a normal one, a rejected key, or both.",
                            "In the normal run the key shows up on stderr: which line of Ask.java writes to err?",
                            "With a rejected key, OpenAI's 401 body echoes the key masked (sk-proj-***abcd). Whose"
                                    + " message does Ask.java print when the call fails?",
                            "dev.keysafe.common.OpenAiCall has a method that turns any failure into a safe message"
                                    + " and an exit code."),
                    run -> {
                        List<Problem> problems = new ArrayList<>();
                        problems.addAll(run.probe("a normal run", Scenario.HAPPY_PATH,
                                (launch, key) -> launch.env("OPENAI_API_KEY", key.value())));
                        problems.addAll(run.probe("a rejected key", Scenario.KEY_REJECTED,
                                (launch, key) -> launch.env("OPENAI_API_KEY", key.value())));
                        return problems;
                    }, null),
            new Lab("03", "03-dotenv-traps", ".env is not git-ignored, and a malformed line prints the key",
                    "03", "dev.keysafe.dotenv.Ask",
                    List.of(new LabFile("dev/keysafe/dotenv/DotenvFile.java", DOTENV + "DotenvFile.java"),
                            new LabFile(".gitignore", ".gitignore")),
                    List.of("Two problems: one in .gitignore, one in DotenvFile.java. ./kit lab check 03 names both.",
                            ".gitignore must ignore .env and its variants (.env.local...) but keep .env.example,"
                                    + " the template without values.",
                            "Put a stray quote after the key in a .env file (OPENAI_API_KEY=sk-...\") and run it: what does the error show?",
                            "dotenv-java's exception message quotes the whole malformed line, value included. Say"
                                    + " where the problem is (file, line number), never what the line holds."),
                    Labs::checkDotenv, null),
            new Lab("04", "04-prod-fallback", "staging quietly falls back to the production key",
                    "04", "dev.keysafe.perenv.Ask",
                    List.of(new LabFile("dev/keysafe/perenv/EnvironmentKey.java", PER_ENV + "EnvironmentKey.java")),
                    List.of("./kit lab check 04 runs staging without OPENAI_API_KEY_STAGING. What should happen?",
                            "A missing key is a setup error: the program should stop and say which variable to set.",
                            "Which lines in EnvironmentKey.from look for another environment's key?"),
                    Labs::checkPerEnvironment, null),
            new Lab("05", "05-secret-cache", "the fetched secret is logged and cached on disk",
                    "05", "dev.keysafe.secretsmanager.Ask",
                    List.of(new LabFile("dev/keysafe/secretsmanager/SecretsManagerKey.java",
                            SECRETS + "SecretsManagerKey.java")),
                    List.of("./kit lab check 05 names two channels: one is a log line, one is a file.",
                            "Logs run at TRACE in the check, as they may on a bad day in production: is any log"
                                    + " line in SecretsManagerKey.current() built from the secret's value?",
                            "SecretCache already keeps the key in memory, for an hour. What does a second copy"
                                    + " in the temp folder add, and who else on the machine can read it?",
                            "To tell which key is in use, log its fingerprint (ApiKey's toString: ...abcd),"
                                    + " never the value."),
                    Labs::checkSecretsManager, null),
            new Lab("06", "06-open-proxy", "the proxy passes the client's token upstream and OpenAI's error back",
                    "06", "dev.keysafe.proxy.app.ProxyApp",
                    List.of(new LabFile("dev/keysafe/proxy/Upstream.java", PROXY + "Upstream.java")),
                    List.of("./kit lab check 06 starts your proxy and uses it as an app would. Read what reached"
                                    + " the OpenAI stub first.",
                            "Which client headers does Upstream pass on, and which Authorization header wins"
                                    + " when the client sends one too?",
                            "Clients hold the proxy's client tokens, never an OpenAI key: only the server's key"
                                    + " may go upstream. Pass an allowlist of harmless headers, nothing else.",
                            "Once requests carry the server's key, look at what a client gets when OpenAI refuses"
                                    + " it: OpenAI's 401 body echoes the key masked. Say what failed in the proxy's"
                                    + " own words."),
                    ServerLabCheck::run, null));

    private Labs() {
    }

    /** The lab a learner means by {@code id}: {@code 02}, {@code 2} or its folder name. */
    public static Optional<Lab> find(String id) {
        String wanted = id.strip().matches("\\d") ? "0" + id.strip() : id.strip();
        return LABS.stream().filter(l -> l.id().equals(wanted) || l.name().equals(wanted)).findFirst();
    }

    public static Lab require(String id) {
        return find(id).orElseThrow(() -> new KitException("unknown lab '" + id + "'. Labs: "
                + LABS.stream().map(Lab::id).collect(Collectors.joining(", ")) + " (./kit lab list)."));
    }

    // ---- 01: history --------------------------------------------------------------------------

    static final String HISTORY_APP = "App.java";

    private static void startHistory(Path copy) throws Exception {
        String key = KeyPatterns.DEMO_PREFIX + Canary.fresh().value().substring(8, 40);
        PersonIdent author = new PersonIdent("A Hurried Developer", "dev@example.invalid");
        try (Git git = Git.init().setDirectory(copy.toFile()).setInitialBranch("main").call()) {
            Files.writeString(copy.resolve("README.md"), "# weather-bot\n\nAsks the model about the weather.\n");
            Files.writeString(copy.resolve(HISTORY_APP), app("\"" + key + "\"; // TODO move out before release"));
            git.add().addFilepattern(".").call();
            git.commit().setMessage("first version").setAuthor(author).setCommitter(author).setSign(false).call();
            git.tag().setName("v0.1").setAnnotated(false).call();
            Files.writeString(copy.resolve(HISTORY_APP), app("System.getenv(\"OPENAI_API_KEY\");"));
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

    private static List<Problem> checkHistory(LabRun run) throws IOException {
        List<Problem> problems = new ArrayList<>();
        Path copy = run.copy();
        if (!Files.isDirectory(copy.resolve(".git"))) {
            problems.add(new Problem(copy + " is no longer a git repository",
                    "deleting .git throws away the project's history too; start over (./kit lab start 01 --over)"
                            + " and rewrite history instead"));
            return problems;
        }
        Path app = copy.resolve(HISTORY_APP);
        if (!Files.isRegularFile(app) || !Files.readString(app).contains("getenv(\"OPENAI_API_KEY\")")) {
            problems.add(new Problem(HISTORY_APP + " no longer reads the key from OPENAI_API_KEY",
                    "keep today's version of the app: only its past must go"));
        }
        if (!GitFacts.hasCommits(copy)) {
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

    // ---- 03: .env ---------------------------------------------------------------------------

    private static List<Problem> checkDotenv(LabRun run) throws IOException {
        List<Problem> problems = new ArrayList<>();
        Path ignoreFile = run.copy().resolve(".gitignore");
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
        problems.addAll(run.probe("a normal run with the key in .env", Scenario.HAPPY_PATH,
                (launch, key) -> launch.file(".env", "OPENAI_API_KEY=" + key.value() + "\n")));
        Canary key = Canary.fresh();
        try (OpenAiStub stub = OpenAiStub.start()) {
            stub.acceptKeys(key.value());
            // A stray quote, pasted along with the key from a JSON file: a common typo in a .env file.
            RunResult result = run.run(run.launch().file(".env",
                    "OPENAI_MODEL=gpt-4o-mini\nOPENAI_API_KEY=" + key.value() + "\"\n"), stub);
            String what = "a .env with a malformed line (a stray quote after the key)";
            for (String form : key.formsIn(result.stdout() + "\n" + result.stderr())) {
                problems.add(new Problem(what + ": the error message prints the key (" + form + ")",
                        "a message about a bad line may say which file and which line number, never the line"));
            }
            if (result.exitCode() == 0 || result.stderr().isBlank()) {
                problems.add(new Problem(what + ": it did not stop with a message (exit " + result.exitCode() + ")",
                        "a .env it cannot read is a setup error: exit non-zero with one clear line"));
            }
        }
        return problems;
    }

    // ---- 04: per environment ----------------------------------------------------------------

    private static List<Problem> checkPerEnvironment(LabRun run) {
        List<Problem> problems = new ArrayList<>();
        Canary prod = Canary.fresh();
        problems.addAll(run.probe("a staging run", Scenario.HAPPY_PATH, (launch, key) -> launch
                .env("ENVIRONMENT", "staging").env("OPENAI_API_KEY_STAGING", key.value())
                .env("OPENAI_API_KEY_PROD", prod.value()).env("OPENAI_API_KEY_DEV", Canary.fresh().value())));
        try (OpenAiStub stub = OpenAiStub.start()) {
            // Production's key would be accepted: the check is that it is never sent at all.
            stub.acceptKeys(prod.value());
            RunResult result = run.run(run.launch().env("ENVIRONMENT", "staging")
                    .env("OPENAI_API_KEY_PROD", prod.value()), stub);
            String what = "staging chosen, OPENAI_API_KEY_STAGING missing";
            if (stub.journal().stream().anyMatch(e -> e.bearer().equals(prod.value()))) {
                problems.add(new Problem(what + ": C21 the production key was sent upstream",
                        "a staging run must never use production's key: production's budget, limits and"
                                + " audit trail are not for tests"));
            }
            if (result.exitCode() != 2 || !result.stderr().contains("OPENAI_API_KEY_STAGING")) {
                problems.add(new Problem(what + ": it did not refuse to start naming OPENAI_API_KEY_STAGING (exit "
                        + result.exitCode() + ")", "a missing key is a setup error: stop with exit 2 and name the"
                        + " variable to set"));
            }
            if (!prod.formsIn(result.stdout() + result.stderr()).isEmpty()) {
                problems.add(new Problem(what + ": the production key was printed", LabRun.hintFor(
                        new dev.keysafe.testkit.leaks.Finding(dev.keysafe.testkit.leaks.Channel.C7, "stderr", "plain"))));
            }
        }
        return problems;
    }

    // ---- 05: secrets manager -----------------------------------------------------------------

    private static List<Problem> checkSecretsManager(LabRun run) {
        List<Problem> problems = new ArrayList<>();
        problems.addAll(probeWithSecret(run, "a normal run", Scenario.HAPPY_PATH, false));
        problems.addAll(probeWithSecret(run, "a rejected key, the secret stored as JSON", Scenario.KEY_REJECTED, true));
        return problems;
    }

    /**
     * One probe with the key planted the way module 05 gets it: in a secret of a Secrets Manager
     * emulator (the bare key, or JSON with an OPENAI_API_KEY field), the standard AWS settings
     * pointing there. The lab's own check: the key was fetched from the secret, not found elsewhere.
     */
    private static List<Problem> probeWithSecret(LabRun run, String title, Scenario scenario, boolean json) {
        String secretId = SecretsManagerEmulator.DEMO_SECRET_ID;
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start()) {
            List<Problem> problems = new ArrayList<>(run.probe(title, scenario, (launch, key) -> {
                secrets.createSecret(secretId, json ? Json.write(Json.object().put("OPENAI_API_KEY", key.value()))
                        : key.value());
                secrets.clientEnv().forEach(launch::env);
                return launch.env("OPENAI_SECRET_ID", secretId);
            }));
            if (secrets.calls("GetSecretValue") == 0) {
                problems.add(new Problem(title + ": Secrets Manager was never asked for the secret",
                        "the key must come from the secret " + secretId + ", fetched through the cache"));
            }
            return problems;
        }
    }

    /** Small git questions the checks ask. */
    static final class GitFacts {
        private GitFacts() {
        }

        static boolean hasCommits(Path dir) {
            try (var repo = KeyScan.openRepository(dir)) {
                return repo != null && repo.resolve("HEAD") != null;
            } catch (IOException e) {
                return false;
            }
        }
    }

    static String readme(Path root, Lab lab) {
        Path text = root.resolve("labs").resolve(lab.name()).resolve("README.md");
        try {
            return Files.isRegularFile(text) ? Files.readString(text, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
