package dev.keysafe.workshop.lab;

import dev.keysafe.common.Json;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lab 05's check, the secret in the log and on disk: the key comes from the secret, through the
 * cache, reaches the API and nowhere else, whatever the logging level; and the class that fetches
 * it writes no file at all. Moving the copy out of the temp folder (to the home folder, or any
 * other) is still a copy on disk, so it fails too.
 */
final class SecretCacheCheck {

    /** The learner's file, which holds the key in memory and must keep it there. */
    static final String FILE = "dev/keysafe/secretsmanager/SecretsManagerKey.java";
    /** Ways Java writes a file; one in the class that fetches the secret is a copy on disk. */
    private static final Pattern WRITES_A_FILE = Pattern.compile("\\bFiles\\s*\\.\\s*(write\\w*|newBufferedWriter"
            + "|newOutputStream|copy|move)\\b|\\bnew\\s+(FileWriter|FileOutputStream|RandomAccessFile|PrintWriter\\s*\\(\\s*new\\s+File)\\b"
            + "|\\bFileChannel\\s*\\.\\s*open\\b");
    private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

    private SecretCacheCheck() {
    }

    static List<Problem> run(LabRun run) throws IOException {
        List<Problem> problems = new ArrayList<>();
        problems.addAll(probeWithSecret(run, "a normal run", Scenario.HAPPY_PATH, false));
        problems.addAll(probeWithSecret(run, "a rejected key, the secret stored as JSON", Scenario.KEY_REJECTED, true));
        Path source = run.copy().resolve(FILE);
        if (Files.isRegularFile(source)) {
            Matcher write = WRITES_A_FILE.matcher(COMMENT.matcher(Files.readString(source)).replaceAll(""));
            if (write.find()) {
                problems.add(new Problem("SecretsManagerKey.java still writes a file (" + write.group().strip()
                        + "): wherever it goes, that is a copy of the key on disk",
                        "SecretCache already keeps the key in memory: it is the only copy this class may keep"));
            }
        }
        return problems;
    }

    /**
     * One probe with the key planted the way module 05 gets it: in a secret of a Secrets Manager
     * emulator (the bare key, or JSON with an OPENAI_API_KEY field), the standard AWS settings
     * pointing there. The home folder is inside the run's folder, so a file written there is
     * searched too. The lab's own check: the key was fetched from the secret, not found elsewhere.
     */
    private static List<Problem> probeWithSecret(LabRun run, String title, Scenario scenario, boolean json) {
        String secretId = SecretsManagerEmulator.DEMO_SECRET_ID;
        try (SecretsManagerEmulator secrets = SecretsManagerEmulator.start()) {
            List<Problem> problems = new ArrayList<>(run.probe(title, scenario, (launch, key) -> {
                secrets.createSecret(secretId, json ? Json.write(Json.object().put("OPENAI_API_KEY", key.value()))
                        : key.value());
                secrets.clientEnv().forEach(launch::env);
                // A home folder inside the run's working directory, which the probe searches when it is over.
                return launch.env("OPENAI_SECRET_ID", secretId).jvmArgs("-Duser.home=home").file("home/.profile", "");
            }).problems());
            if (secrets.calls("GetSecretValue") == 0) {
                problems.add(new Problem(title + ": Secrets Manager was never asked for the secret",
                        "the key must come from the secret " + secretId + ", fetched through the cache"));
            }
            return problems;
        }
    }
}
