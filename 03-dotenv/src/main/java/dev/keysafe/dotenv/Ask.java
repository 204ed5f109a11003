package dev.keysafe.dotenv;

import com.openai.client.OpenAIClient;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.common.OpenAiSettings;
import dev.keysafe.common.OpenAiCall.Failure;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Asks the model one question, with the key taken from the environment or from the {@code .env}
 * file in the working directory, and prints the answer.
 *
 * <pre>cp .env.example .env   # then put your key in .env
 * java dev.keysafe.dotenv.Ask "your question"</pre>
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
            // Read once, the environment winning over the file: neither changes while we run.
            Map<String, String> settings = DotenvFile.settings(env, workingDir, err);
            ApiKey key = DotenvKey.from(settings, workingDir);
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
