package dev.keysafe.hardcoded;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Module 01's program: asks the model one question with the key from {@link HardcodedKey}, and on
 * the way makes the classic beginner mistakes, each marked {@code MISTAKE n}. It is the kit's
 * negative control: its tests pass only when the leak detectors find the key. Never copy it.
 *
 * <pre>OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 java dev.keysafe.hardcoded.Ask "your question"</pre>
 */
public final class Ask {

    private static final Logger log = LoggerFactory.getLogger(Ask.class);

    private Ask() {
    }

    public static void main(String[] args) {
        String question = args.length > 0 ? String.join(" ", args)
                : "In one sentence: why should an API key never be committed to git?";
        Config config = Config.load();

        // MISTAKE 3 (fixed by 02-env-vars): the whole config is logged "to help debugging", so the
        // key lands in every log file, log shipper and support ticket that copies this line.
        log.info("Starting with {}", config);

        // fromEnv() reads OPENAI_BASE_URL, so the kit can point this at its stub; apiKey() then
        // replaces any key fromEnv() found: this program only ever sends the constant.
        OpenAIClient client = OpenAIOkHttpClient.builder().fromEnv().apiKey(HardcodedKey.API_KEY).build();
        int exitCode;
        try {
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                    .model(config.model())
                    .addUserMessage(question)
                    .build();
            client.chat().completions().create(params).choices()
                    .forEach(choice -> choice.message().content().ifPresent(System.out::println));
            exitCode = 0;
        } catch (RuntimeException e) {
            // MISTAKE 4 (fixed by 02-env-vars; for servers, 06-server-proxy): the upstream error body
            // is printed as it came. OpenAI's 401 echoes the key it was sent, masked.
            if (e instanceof OpenAIServiceException upstream) {
                System.err.println("OpenAI said: " + upstream.body());
            }
            // MISTAKE 5 (fixed by 02-env-vars): the key goes into an exception message, and the full
            // stack trace (every cause, each with its own message) goes to stderr.
            new IllegalStateException("OpenAI call failed with key " + config.apiKey(), e).printStackTrace();
            exitCode = 1;
        } finally {
            client.close();
        }
        System.exit(exitCode);
    }
}
