package dev.keysafe.secretsmanager.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.secretsmanager.Offline;
import dev.keysafe.secretsmanager.SecretsManagerKey;
import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.contract.CliLeakContract;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Module 05 under the shared leak contract, run as {@link AuditedAsk} (the lesson's program with
 * the audit log wired in): the key is planted in a secret in the emulator (bare in half the runs,
 * JSON in the other half), and every run also writes its audit row to a real PostgreSQL through
 * the JDBC driver. After all scenarios the audit table (C19) must hold a row
 * per run and no trace of the key.
 */
class AuditedAskLeakIT extends CliLeakContract {

    private static final String DB_SECRET = "keysafe-test/audit-db-contract";
    private static final String DB_USER = "keysafe_audit_contract";
    private static final AtomicInteger LAUNCHES = new AtomicInteger();
    private static final SecretsManagerEmulator secrets = Offline.sharedEmulator();
    private static AuditDatabase audit;

    @BeforeAll
    static void start() {
        audit = AuditDatabase.shared();
        audit.createUser(DB_USER);
        secrets.createSecret(DB_SECRET, AuditDatabase.secretFor(DB_USER, audit.newPassword(DB_USER)));
    }

    @AfterAll
    static void the_audit_table_holds_a_row_per_run_and_never_the_key() {
        Canary canary = Canary.forThisRun();
        assertThat(audit.rowsFor(canary.fingerprint())).as("audit rows, one per run").hasSize(LAUNCHES.get());
        assertThat(Detectors.inText(canary, Channel.C19, "audit table", String.join("\n", audit.rows()))).isEmpty();
    }

    @Override
    protected AppLaunch launch(Keysafe keysafe) {
        int run = LAUNCHES.incrementAndGet();
        String id = Offline.newSecretId("leak-contract");
        String key = keysafe.key().value();
        secrets.createSecret(id, run % 2 == 0 ? key : Offline.asJson(key));
        AppLaunch launch = keysafe.app(AuditedAsk.class.getName());
        Offline.env(secrets, null, id).forEach(launch::env);
        return launch.env(AuditLog.URL_VARIABLE, audit.url()).env(AuditLog.SECRET_VARIABLE, DB_SECRET);
    }

    @Override
    protected List<Object> keyHolders(Canary key) {
        String id = Offline.newSecretId("leak-holders");
        secrets.createSecret(id, Offline.asJson(key.value()));
        SecretsManagerKey holder = SecretsManagerKey.from(Offline.env(secrets, null, id), warning -> { });
        return List.of(holder, holder.current());
    }
}
