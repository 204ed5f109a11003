package dev.keysafe.secretsmanager;

import com.openai.client.OpenAIClient;
import com.openai.credential.BearerTokenCredential;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.common.OpenAiCall.Failure;
import dev.keysafe.common.OpenAiSettings;
import java.io.PrintStream;
import java.util.Map;

/**
 * Asks the model one question, with the key read from AWS Secrets Manager, and prints the answer.
 *
 * <pre>AWS_REGION=... OPENAI_SECRET_ID=... java dev.keysafe.secretsmanager.Ask "your question"</pre>
 */
public final class Ask {

    /** The audit log's setting: this program keeps no audit log, so it refuses to run with it set. */
    static final String AUDIT_VARIABLE = "AUDIT_JDBC_URL";
    /** The program that keeps one. */
    static final String AUDITED_MAIN = "dev.keysafe.secretsmanager.audit.AuditedAsk";

    /**
     * The one call of {@link #run}: puts a question to the model and returns the answer. The
     * lesson's is {@link RetryAfterRotation#ask}; a deployment may put in its own (the audit log's
     * also writes a row per ask).
     */
    @FunctionalInterface
    public interface Asker {
        String ask(OpenAIClient client, SecretsManagerKey key, String model, String question);
    }

    private Ask() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    /** The whole program, with its inputs as parameters; returns the exit code. */
    static int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err) {
        if (!env.getOrDefault(AUDIT_VARIABLE, "").isBlank()) {
            // Better no answer than an ask that someone expects to find in the audit log and won't.
            err.println(AUDIT_VARIABLE + " is set, but this program keeps no audit log: start " + AUDITED_MAIN
                    + " instead, or unset " + AUDIT_VARIABLE + " (see 05-secrets-manager/REFERENCE.md).");
            return ExitCode.CONFIG;
        }
        return run(env, args, out, err, RetryAfterRotation::ask);
    }

    /** The whole program with {@code asker} making the call; returns the exit code. */
    public static int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err, Asker asker) {
        try (SecretsManagerKey key = SecretsManagerKey.from(env, err::println)) {
            // Fetch before anything else: with no key there is nothing to ask with, so fail fast.
            key.current();
            // The client asks the cache for the key on every request: a rotated key is used at once.
            OpenAIClient client = OpenAiCall.client(BearerTokenCredential.create(() -> key.current().reveal()), env);
            try {
                out.println(asker.ask(client, key, OpenAiSettings.model(env), OpenAiCall.question(args)));
                return ExitCode.OK;
            } finally {
                client.close();
            }
        } catch (RetryAfterRotation.RefusedWhileUnreachable e) {
            err.println(e.getMessage());
            return ExitCode.AUTH;
        } catch (RuntimeException e) {
            // One line that names the problem; never the exception's own message, which can quote a body.
            Failure failure = OpenAiCall.explain(e);
            err.println(failure.message());
            return failure.exitCode();
        }
    }
}
