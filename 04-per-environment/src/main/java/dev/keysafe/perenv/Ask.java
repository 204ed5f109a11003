package dev.keysafe.perenv;

import com.openai.client.OpenAIClient;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.common.OpenAiSettings;
import dev.keysafe.common.OpenAiCall.Failure;
import dev.keysafe.dotenv.DotenvFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Asks the model one question, with the key of the environment ENVIRONMENT chooses, and prints
 * the answer.
 *
 * <pre>ENVIRONMENT=staging OPENAI_API_KEY_STAGING=... java dev.keysafe.perenv.Ask "your question"</pre>
 */
public final class Ask {

    private Ask() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), Path.of("").toAbsolutePath(), args, System.out, System.err));
    }

    /** The whole program, with its inputs as parameters; returns the exit code. */
    static int run(Map<String, String> env, Path workingDir, String[] args, PrintStream out, PrintStream err) {
        try {
            // Read once, the environment winning over a .env file: neither changes while we run.
            Map<String, String> settings = DotenvFile.settings(env, workingDir, err);
            Environment environment = Environment.from(settings);
            ApiKey key = EnvironmentKey.from(settings, environment);
            // Say which key is in use, so a wrong one is noticed at once; the fingerprint, never the key.
            err.println("environment: " + environment.label() + ", key " + environment.keyVariable() + " "
                    + key.fingerprint());
            OpenAIClient client = OpenAiCall.client(key, settings);
            try {
                out.println(OpenAiCall.ask(client, OpenAiSettings.model(settings), OpenAiCall.question(args)));
                return ExitCode.OK;
            } finally {
                client.close();
            }
        } catch (RuntimeException e) {
            // One line that names the problem; never the exception's own message, which can quote the upstream body.
            Failure failure = OpenAiCall.explain(e);
            err.println(failure.message());
            return failure.exitCode();
        }
    }
}
