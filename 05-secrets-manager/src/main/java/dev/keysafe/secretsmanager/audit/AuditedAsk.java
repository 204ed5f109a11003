package dev.keysafe.secretsmanager.audit;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.OpenAiCall;
import dev.keysafe.common.OpenAiCall.Failure;
import dev.keysafe.secretsmanager.Ask;
import dev.keysafe.secretsmanager.jdbc.SecretsManagerDriver;
import java.io.PrintStream;
import java.util.Map;

/**
 * Module 05's program with the audit log on: the lesson's {@link Ask}, with each ask written as one
 * row to the database named by AUDIT_JDBC_URL ({@link AuditLog}).
 *
 * <pre>AUDIT_JDBC_URL=jdbc-secretsmanager:postgresql://... AUDIT_DB_SECRET_ID=... \
 *     java dev.keysafe.secretsmanager.audit.AuditedAsk "your question"</pre>
 */
public final class AuditedAsk {

    private AuditedAsk() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    /** The whole program, with its inputs as parameters; returns the exit code. */
    static int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err) {
        AuditLog audit;
        try {
            audit = AuditLog.from(env, err::println);
        } catch (RuntimeException e) {
            Failure failure = OpenAiCall.explain(e);
            err.println(failure.message());
            return failure.exitCode();
        }
        if (!audit.enabled()) {
            err.println(AuditLog.URL_VARIABLE + " is not set, and this program writes an audit row per ask: set it to "
                    + SecretsManagerDriver.URL_PREFIX + "HOST:5432/DB (see 05-secrets-manager/REFERENCE.md), "
                    + "or start dev.keysafe.secretsmanager.Ask for no audit log.");
            return ExitCode.CONFIG;
        }
        return Ask.run(env, args, out, err, audit);
    }
}
