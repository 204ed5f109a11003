package dev.keysafe.workshop.lab;

import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.lab.Lab.LabFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The workshop's labs, in order. Adding one is one entry in {@link #LABS} with its check (a class
 * of its own, such as {@link LoggedKeyCheck}), a {@code labs/<name>/README.md} and the starter
 * files below {@code labs/<name>/starter/}.
 */
public final class Labs {

    private static final String ENV_VARS = "02-env-vars/src/main/java/dev/keysafe/envvars/";
    private static final String DOTENV = "03-dotenv/src/main/java/dev/keysafe/dotenv/";
    private static final String PER_ENV = "04-per-environment/src/main/java/dev/keysafe/perenv/";
    private static final String SECRETS = "05-secrets-manager/src/main/java/dev/keysafe/secretsmanager/";
    private static final String PROXY = "06-server-proxy/src/main/java/dev/keysafe/proxy/";

    /** What a passed check proves for a lab whose program calls the API. */
    private static final String KEY_KEPT = "The key reached the API and nowhere else.";

    /** Every lab. To add one: one entry, in order. */
    public static final List<Lab> LABS = List.of(
            new Lab("01", "01-history", "a key was committed, then \"deleted\": get it out of git history",
                    null, null, List.of(),
                    List.of("Run ./kit scan labs-work/01-history: where is the key still found?",
                            "Deleting the line in a new commit does not help: every older commit still holds it.",
                            "A commit is kept alive by every ref that reaches it: branches AND tags.",
                            "Rewrite history so that no branch or tag reaches a commit with the key (git rebase -i,"
                                    + " or a fresh commit of today's files). Backup refs (refs/original/) count too."),
                    HistoryLab::check, HistoryLab::start,
                    "No branch or tag reaches the key any more, and App.java still reads it from OPENAI_API_KEY.",
                    HistoryLab.PROCEDURE),
            Lab.fixing("02", "02-logged-key", "a debug line and a forwarded error print the key",
                    "02", "dev.keysafe.envvars.Ask",
                    List.of(new LabFile("dev/keysafe/envvars/Ask.java", ENV_VARS + "Ask.java")),
                    List.of("Run ./kit lab check 02 and read which runs leak: a normal one, a rejected key, or both.",
                            "In the normal run the key shows up on stderr: which line of Ask.java writes to err,"
                                    + " and what does it print?",
                            "With a rejected key, OpenAI's 401 body echoes the key masked (sk-proj-***abcd). Whose"
                                    + " words does Ask.java print when the call fails?",
                            "Each failure gets the program's own words and its own exit code: 2 and the variable's"
                                    + " name when the key is missing, 3 and what to check when it is refused."
                                    + " dev.keysafe.common.OpenAiCall has a method that does this for every module."),
                    LoggedKeyCheck::run, KEY_KEPT + " A refused or missing key is reported in the program's own words,"
                            + " with its own exit code."),
            Lab.fixing("03", "03-dotenv-traps", ".env is not git-ignored, and a malformed line prints the key",
                    "03", "dev.keysafe.dotenv.Ask",
                    List.of(new LabFile("dev/keysafe/dotenv/DotenvFile.java", DOTENV + "DotenvFile.java"),
                            new LabFile(".gitignore", ".gitignore")),
                    List.of("Two problems: one in .gitignore, one in DotenvFile.java. ./kit lab check 03 names both.",
                            ".gitignore must ignore .env and its variants (.env.local...) but keep .env.example,"
                                    + " the template without values.",
                            "The check's last run reads a .env whose key line ends with a stray quote. What does"
                                    + " the message your copy prints for it hold?",
                            "dotenv-java's exception message quotes the whole malformed line, value included. Say"
                                    + " where the problem is (the file and the line number), never what the line"
                                    + " holds: find the quoted line in the file to learn its number."),
                    DotenvCheck::run, KEY_KEPT + " Every .env stays out of git, and a bad line is reported by its"
                            + " number."),
            Lab.fixing("04", "04-prod-fallback", "staging quietly falls back to the production key",
                    "04", "dev.keysafe.perenv.Ask",
                    List.of(new LabFile("dev/keysafe/perenv/EnvironmentKey.java", PER_ENV + "EnvironmentKey.java")),
                    List.of("./kit lab check 04 runs staging without OPENAI_API_KEY_STAGING. What should happen?",
                            "A missing key is a setup error: the program should stop and say which variable to set.",
                            "Which lines in EnvironmentKey.from look for another environment's key?"),
                    ProdFallbackCheck::run, KEY_KEPT + " An environment without its own key refuses to start."),
            Lab.fixing("05", "05-secret-cache", "the fetched secret is logged and cached on disk",
                    "05", "dev.keysafe.secretsmanager.Ask",
                    List.of(new LabFile("dev/keysafe/secretsmanager/SecretsManagerKey.java",
                            SECRETS + "SecretsManagerKey.java")),
                    List.of("./kit lab check 05 names two channels: one is a log line, one is a file.",
                            "Logs run at TRACE in the check, as they may on a bad day in production: is any log"
                                    + " line in SecretsManagerKey.current() built from the secret's value?",
                            "SecretCache already keeps the key in memory, for an hour. What does a second copy"
                                    + " on disk add, and who else on the machine can read it?",
                            "To tell which key is in use, log its fingerprint (ApiKey's toString: ...abcd),"
                                    + " never the value."),
                    SecretCacheCheck::run, KEY_KEPT + " The secret's only copy is the cache in memory."),
            Lab.fixing("06", "06-open-proxy", "the proxy passes the client's token upstream and OpenAI's error back",
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
                    ServerLabCheck::run, "Only the server's key went upstream, and no client saw it or OpenAI's"
                            + " own error."));

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

    static String readme(Path root, Lab lab) {
        Path text = root.resolve("labs").resolve(lab.name()).resolve("README.md");
        try {
            return Files.isRegularFile(text) ? Files.readString(text, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
