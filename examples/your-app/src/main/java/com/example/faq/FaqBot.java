package com.example.faq;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.LogLevel;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one question with OpenAI and remembers the answer in {@code faq-cache.json}.
 *
 * <pre>OPENAI_API_KEY=... java -cp ... com.example.faq.FaqBot "What is a rate limit?"</pre>
 */
public final class FaqBot {

    private static final Logger LOG = LoggerFactory.getLogger(FaqBot.class);
    private static final String MODEL = "gpt-4o-mini";

    private FaqBot() {
    }

    public static void main(String[] args) {
        String question = args.length == 0 ? "What is an API key?" : String.join(" ", args);
        if (System.getenv("OPENAI_API_KEY") == null || System.getenv("OPENAI_API_KEY").isBlank()) {
            System.err.println("OPENAI_API_KEY is not set: put your key in the environment.");
            System.exit(2);
        }
        AnswerCache cache = new AnswerCache(Path.of("faq-cache.json"));
        Optional<String> known = cache.get(question);
        if (known.isPresent()) {
            LOG.info("answered from the cache");
            System.out.println(known.get());
            return;
        }
        // OPENAI_API_KEY and OPENAI_BASE_URL come from the environment; the SDK's own log stays at
        // INFO, because at DEBUG it prints response bodies and OpenAI's 401 body echoes the key.
        OpenAIClient client = OpenAIOkHttpClient.builder().fromEnv().logLevel(LogLevel.INFO).build();
        try {
            LOG.info("asking {}", MODEL);
            String answer = client.chat().completions()
                    .create(ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(question).build())
                    .choices().stream().flatMap(choice -> choice.message().content().stream())
                    .collect(Collectors.joining("\n"));
            cache.put(question, answer);
            System.out.println(answer);
        } catch (OpenAIServiceException e) {
            // The status only: the exception's message quotes OpenAI's body.
            LOG.error("OpenAI refused the request (HTTP {})", e.statusCode());
            System.exit(1);
        } catch (OpenAIException e) {
            LOG.error("the call to OpenAI failed ({})", e.getClass().getSimpleName());
            System.exit(1);
        } finally {
            client.close();
        }
    }
}
