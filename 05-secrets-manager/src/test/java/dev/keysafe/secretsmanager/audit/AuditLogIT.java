package dev.keysafe.secretsmanager.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.secretsmanager.Offline;
import dev.keysafe.secretsmanager.demo.RotateDemo;
import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The audit log in a real PostgreSQL, reached through AWS's JDBC driver with the password in
 * Secrets Manager: what a row holds (a fingerprint, never the key; the prompt only when asked),
 * and a database password rotated while the module writes, with no write lost.
 */
@Execution(ExecutionMode.CONCURRENT)
class AuditLogIT {

    /** This module's folder: its runs start the jar the build packaged, as a user would. */
    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    private static final SecretsManagerEmulator secrets = Offline.sharedEmulator();
    private static AuditDatabase audit;
    private static Canary dbPassword;

    @BeforeAll
    static void start() {
        audit = AuditDatabase.shared();
        dbPassword = audit.newPassword();
        secrets.createSecret("keysafe-test/audit-db", AuditDatabase.secretFor(dbPassword));
    }

    private static AppLaunch launch(Canary key, OpenAiStub openai, String dbSecret, String... args) {
        return launch(AuditedAsk.class, key, openai, dbSecret, args);
    }

    private static AppLaunch launch(Class<?> program, Canary key, OpenAiStub openai, String dbSecret, String... args) {
        String id = Offline.newSecretId("audit");
        secrets.createSecret(id, key.value());
        AppLaunch launch = new Keysafe(key, openai).app(program.getName()).packagedIn(MODULE).withOwnLogging().args(args);
        Offline.env(secrets, openai, id).forEach(launch::env);
        return launch.env(AuditLog.URL_VARIABLE, audit.url()).env(AuditLog.SECRET_VARIABLE, dbSecret);
    }

    @Test
    void audit_rows_name_the_key_by_fingerprint_and_hold_neither_the_key_nor_the_prompt(@TempDir Path workDir) {
        Canary key = Canary.fresh();
        AppRun answered;
        AppRun refused;
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(key.value());
            answered = launch(key, openai, "keysafe-test/audit-db", "what", "is", "private?").workingDir(workDir.resolve("1")).run();
            openai.acceptOnly(Canary.fresh().value());
            refused = launch(key, openai, "keysafe-test/audit-db", "what", "is", "private?").workingDir(workDir.resolve("2")).run();
        }

        assertThat(answered.exitCode()).as("%s", answered).isEqualTo(ExitCode.OK);
        assertThat(refused.exitCode()).as("%s", refused).isEqualTo(ExitCode.AUTH);
        List<String> rows = audit.rowsFor(key.fingerprint());
        assertThat(rows).containsExactly(
                key.fingerprint() + " | 0 | 12 | 9 | 21 | null",
                key.fingerprint() + " | 3 | null | null | null | null");
        assertThat(String.join("\n", audit.rows())).doesNotContain("what is private?");
        List<Finding> leaks = new ArrayList<>(Detectors.inText(key, Channel.C19, "audit table", String.join("\n", rows)));
        for (AppRun run : List.of(answered, refused)) {
            leaks.addAll(Detectors.inFiles(key, Channel.C20, run.filesWritten()));
            leaks.addAll(Detectors.inText(key, Channel.C7, "stderr", run.stderr()));
            leaks.addAll(Detectors.inText(dbPassword, Channel.C7, "stdout and stderr", run.stdout() + run.stderr()));
        }
        assertThat(leaks).isEmpty();
    }

    @Test
    void the_prompt_is_recorded_only_when_asked(@TempDir Path workDir) {
        Canary key = Canary.fresh();
        AppRun run;
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(key.value());
            run = launch(key, openai, "keysafe-test/audit-db", "record", "this")
                    .env(AuditLog.PROMPTS_VARIABLE, "true").workingDir(workDir).run();
        }

        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCode.OK);
        assertThat(audit.rowsFor(key.fingerprint())).containsExactly(key.fingerprint() + " | 0 | 12 | 9 | 21 | record this");
    }

    @Test
    void a_missing_database_secret_fails_fast_naming_the_settings(@TempDir Path workDir) {
        Canary key = Canary.fresh();
        AppRun run;
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(key.value());
            run = launch(key, openai, "keysafe-test/no-such-db-secret", "hi").workingDir(workDir).run();
        }

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.stderr()).contains("The audit database could not be opened")
                .contains(AuditLog.URL_VARIABLE).contains("keysafe-test/no-such-db-secret");
        assertThat(run.stdout()).isEmpty();
        assertThat(audit.rowsFor(key.fingerprint())).isEmpty();
    }

    @Test
    void a_database_password_rotated_mid_run_loses_no_audit_write(@TempDir Path workDir) throws Exception {
        Canary key = Canary.fresh();
        String dbSecret = "keysafe-test/audit-db-rotated";
        String user = "keysafe_audit_rotated";
        audit.createUser(user);
        Canary before = audit.newPassword(user);
        secrets.createSecret(dbSecret, AuditDatabase.secretFor(user, before));
        AppRun run;
        String rotatedAt;
        try (OpenAiStub openai = OpenAiStub.start()) {
            openai.acceptKeys(key.value());
            CompletableFuture<AppRun> demo = CompletableFuture.supplyAsync(() ->
                    launch(RotateDemo.class, key, openai, dbSecret, "6").workingDir(workDir).timeout(Duration.ofSeconds(60)).run());
            awaitRows(key, 10);

            // A single-user rotation: new password pending, set in the database, then made current.
            Canary after = Canary.fresh();
            String pending = secrets.putSecretValue(dbSecret, AuditDatabase.secretFor(user, after), "AWSPENDING");
            audit.execute("ALTER ROLE " + user + " PASSWORD '" + after.value() + "'");
            secrets.moveStage(dbSecret, "AWSCURRENT", pending);
            secrets.removeStage(dbSecret, "AWSPENDING");
            rotatedAt = audit.now();
            run = demo.get();
        }

        assertThat(run.exitCode()).as("%s", run).isEqualTo(ExitCode.OK);
        int rows = audit.countFor(key.fingerprint(), null);
        assertThat(run.stdout()).contains(" 0 failed;").contains("audit rows: " + rows + " written, 0 failed");
        assertThat(run.stderr()).doesNotContain("audit row could not be written");
        assertThat(audit.countFor(key.fingerprint(), rotatedAt)).as("rows written with the new password").isPositive();
        assertThat(Detectors.inText(before, Channel.C7, "output", run.stdout() + run.stderr())).isEmpty();
    }

    private static void awaitRows(Canary key, int rows) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (audit.countFor(key.fingerprint(), null) < rows) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the module wrote fewer than " + rows + " audit rows in 30 s");
            }
            Thread.sleep(100);
        }
    }
}
