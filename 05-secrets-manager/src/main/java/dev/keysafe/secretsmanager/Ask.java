package dev.keysafe.secretsmanager;

import com.openai.client.OpenAIClient;
import com.openai.credential.BearerTokenCredential;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.common.OpenAiSettings;
import dev.keysafe.common.OpenAiCall.Failure;
import java.io.PrintStream;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Asks the model one question, with the key read from AWS Secrets Manager, and prints the answer.
 * With {@code rotate-demo} it asks in a loop instead, so a rotation can be watched losing no call.
 *
 * <pre>AWS_REGION=... OPENAI_SECRET_ID=... java dev.keysafe.secretsmanager.Ask "your question"</pre>
 */
public final class Ask {

    private Ask() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    /** The whole program, with its inputs as parameters; returns the exit code. */
    static int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err) {
        try (SecretsManagerKey key = SecretsManagerKey.from(env, err::println)) {
            // Fetch before anything else: with no key there is nothing to do, so fail fast.
            key.current();
            AuditLog audit = AuditLog.from(env, err::println);
            // The client asks the cache for the key on every request: a refreshed key is used at once.
            OpenAIClient client = OpenAiCall.client(BearerTokenCredential.create(() -> key.current().reveal()), env);
            try {
                Asker asker = question -> askOnce(client, key, audit, OpenAiSettings.model(env), question);
                if (args.length > 0 && args[0].equals(RotateDemo.ARGUMENT)) {
                    return RotateDemo.run(env, args, asker, key, audit, out, err);
                }
                Outcome outcome = asker.ask(OpenAiCall.question(args));
                (outcome.exitCode() == ExitCode.OK ? out : err).println(outcome.text());
                return outcome.exitCode();
            } finally {
                client.close();
            }
        } catch (RuntimeException e) {
            // One line that names the problem; never the exception's own message, which can quote a body.
            Failure failure = OpenAiCall.explain(e);
            err.println(failure.message());
            return failure.exitCode();
        }
    }

    /** What one ask came to: exit code 0 and the answer, or a failure's code and one-line message. */
    record Outcome(int exitCode, String text) {
    }

    /** Asks one question; the rotate demo calls it in a loop. */
    interface Asker {
        Outcome ask(String question);
    }

    /** One question, audited whatever the outcome. */
    static Outcome askOnce(OpenAIClient client, SecretsManagerKey key, AuditLog audit, String model, String question) {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(model).addUserMessage(question).build();
        ApiKey used = null;
        try {
            used = key.current();
            ChatCompletion completion = askRefreshingOnce(client, key, used, params);
            audit.record(key.current(), ExitCode.OK, completion.usage().orElse(null), question);
            return new Outcome(ExitCode.OK, completion.choices().stream()
                    .flatMap(choice -> choice.message().content().stream()).collect(Collectors.joining("\n")));
        } catch (RuntimeException e) {
            Failure failure = OpenAiCall.explain(e);
            if (used != null) {
                audit.record(used, failure.exitCode(), null, question);
            }
            return new Outcome(failure.exitCode(), failure.message());
        }
    }

    /**
     * Sends the request; if the API refuses the key and the secret now holds a different one (it
     * was rotated and the old key revoked), sends it once more with the new key.
     */
    static ChatCompletion askRefreshingOnce(OpenAIClient client, SecretsManagerKey key, ApiKey used,
                                            ChatCompletionCreateParams params) {
        try {
            return client.chat().completions().create(params);
        } catch (UnauthorizedException refused) {
            if (key.refreshAfterRejection(used)) {
                return client.chat().completions().create(params);
            }
            throw refused;
        }
    }
}
