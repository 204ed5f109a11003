package dev.keysafe.common;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.LogLevel;
import com.openai.credential.BearerTokenCredential;
import com.openai.credential.Credential;
import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The plumbing every command-line module shares: an OpenAI client built with safe settings, one
 * question asked, and any failure turned into an exit code and a message that holds no part of
 * the key. Where the key comes from is each module's lesson, not this class's.
 */
public final class OpenAiCall {

    /** The question asked when none is given on the command line. */
    public static final String DEFAULT_QUESTION = "In one sentence: why should an API key never be committed to git?";

    private OpenAiCall() {
    }

    /** A client that sends {@code key}, configured from OPENAI_BASE_URL in {@code env}. */
    public static OpenAIClient client(ApiKey key, Map<String, String> env) {
        return client(BearerTokenCredential.create(key.reveal()), env);
    }

    /**
     * A client that asks {@code credential} for the key on every request (the seam for a cache or
     * a rotating secret), configured from OPENAI_BASE_URL in {@code env}.
     */
    public static OpenAIClient client(Credential credential, Map<String, String> env) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(OpenAiSettings.baseUrl(env))
                .credential(credential)
                // A redirect to another host must never carry the key along.
                .followRedirects(false)
                // OPENAI_LOG=debug prints response bodies, and a 401 body echoes the key masked.
                .logLevel(sdkLogLevel(env))
                .timeout(Duration.ofSeconds(60))
                .build();
    }

    /** The question on the command line, or {@link #DEFAULT_QUESTION}. */
    public static String question(String[] args) {
        String question = java.util.Arrays.stream(args).collect(Collectors.joining(" ")).strip();
        return question.isEmpty() ? DEFAULT_QUESTION : question;
    }

    /** Asks {@code model} one question and returns its answer. */
    public static String ask(OpenAIClient client, String model, String question) {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage(question)
                .build();
        return client.chat().completions().create(params).choices().stream()
                .flatMap(choice -> choice.message().content().stream())
                .collect(Collectors.joining("\n"));
    }

    /** What went wrong, as a module reports it: an exit code and one line without the key. */
    public record Failure(int exitCode, String message) {
    }

    /**
     * Turns a failed call into a {@link Failure}. The upstream's body is never quoted: OpenAI's
     * 401 echoes the key it was sent, and other bodies may too.
     */
    public static Failure explain(Throwable failure) {
        if (failure instanceof ConfigException config) {
            return new Failure(ExitCode.CONFIG, config.getMessage());
        }
        if (failure instanceof OpenAIServiceException service) {
            int status = service.statusCode();
            if (status == 401 || status == 403) {
                return new Failure(ExitCode.AUTH, "OpenAI refused the key (HTTP " + status + "): it is wrong, "
                        + "revoked, or has no access to this model. Check it in the OpenAI dashboard.");
            }
            if (status == 429) {
                return new Failure(ExitCode.RATE_LIMITED, "OpenAI rate-limited the call (HTTP 429): wait and "
                        + "try again, or check the project's limits and billing.");
            }
            if (status >= 300 && status < 400) {
                return new Failure(ExitCode.UPSTREAM, "OpenAI's address answered with a redirect (HTTP " + status
                        + "), which is not followed: check OPENAI_BASE_URL.");
            }
            return new Failure(ExitCode.UPSTREAM, "OpenAI answered with an error (HTTP " + status + "): try again later.");
        }
        if (failure instanceof OpenAIIoException) {
            return new Failure(ExitCode.UPSTREAM, "OpenAI could not be reached (connection failed or timed out): "
                    + "check the network and OPENAI_BASE_URL.");
        }
        if (failure instanceof OpenAIInvalidDataException) {
            return new Failure(ExitCode.UPSTREAM, "OpenAI's answer could not be read: check OPENAI_BASE_URL "
                    + "points at an OpenAI-compatible API.");
        }
        return new Failure(ExitCode.UPSTREAM, "The call to OpenAI failed (" + failure.getClass().getSimpleName()
                + "): try again, or run with OPENAI_LOG=info for details.");
    }

    private static LogLevel sdkLogLevel(Map<String, String> env) {
        String asked = env.getOrDefault("OPENAI_LOG", "");
        return asked.equalsIgnoreCase("debug") || asked.equalsIgnoreCase("info") ? LogLevel.INFO : LogLevel.OFF;
    }
}
