package dev.keysafe.envvars;

import com.openai.client.OpenAIClient;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.common.OpenAiSettings;
import java.io.PrintStream;
import java.util.Map;

/**
 * Asks the model one question, with the key taken from the environment, and prints the answer.
 *
 * <pre>OPENAI_API_KEY=... java dev.keysafe.envvars.Ask "your question"</pre>
 */
public final class Ask {

    private Ask() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    /** The whole program, with its inputs as parameters; returns the exit code. */
    static int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err) {
        try {
            ApiKey key = EnvVarKey.from(env);
            err.println("DEBUG calling OpenAI with key " + env.get("OPENAI_API_KEY"));
            OpenAIClient client = OpenAiCall.client(key, env);
            try {
                out.println(OpenAiCall.ask(client, OpenAiSettings.model(env), OpenAiCall.question(args)));
                return 0;
            } finally {
                client.close();
            }
        } catch (RuntimeException e) {
            err.println("OpenAI call failed: " + e.getMessage());
            return 1;
        }
    }
}
