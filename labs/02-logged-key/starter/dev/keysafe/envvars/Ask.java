package dev.keysafe.envvars;

import com.openai.client.OpenAIClient;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.common.OpenAiSettings;
import java.io.PrintStream;
import java.util.Map;

/**
 * Lab 02's starter: module 02's Ask, as a hurried team might write it. It works, and it leaks.
 * Find the leaks with ./kit lab check 02, fix them here, check again.
 */
public final class Ask {

    private Ask() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    static int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err) {
        try {
            ApiKey key = EnvVarKey.from(env);
            // "Which key are we using?" A debug line that stayed in.
            err.println("DEBUG calling OpenAI with key " + env.get("OPENAI_API_KEY"));
            OpenAIClient client = OpenAiCall.client(key, env);
            try {
                out.println(OpenAiCall.ask(client, OpenAiSettings.model(env), OpenAiCall.question(args)));
                return 0;
            } finally {
                client.close();
            }
        } catch (RuntimeException e) {
            // Pass the error on, so the user knows what happened.
            err.println("OpenAI call failed: " + e.getMessage());
            return 1;
        }
    }
}
