package dev.keysafe.workshop.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import dev.keysafe.workshop.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./kit doctor}: ready on a built checkout; says what to fix when a module is not built. */
class DoctorCommandTest {

    @TempDir
    Path dir;

    @Test
    void a_built_checkout_is_ready_jdk_ports_and_stub_included() {
        Catalog catalog = Fixtures.catalog();
        for (Module module : catalog.modules()) {
            Fixtures.assumeBuilt(catalog, module.id());
        }

        Result result = Fixtures.kit(Fixtures.workspace(catalog, Fixtures.env(), dir), "doctor");

        assertThat(result.exitCode()).as(result.out()).isZero();
        assertThat(result.out()).containsPattern("ok +java +JDK \\d+")
                .contains("ok    module 02  02-env-vars built", "ok    loopback   127.0.0.1 port ",
                        "ok    stub       the offline OpenAI stub answers at http://127.0.0.1:", "ready: ");
    }

    @Test
    void a_module_that_is_not_built_is_marked_fix_with_the_command_and_exit_1() throws Exception {
        Files.createDirectories(dir.resolve("02-env-vars"));

        Result result = Fixtures.kit(Fixtures.workspace(Catalog.of(dir), Fixtures.env(), dir), "doctor");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("FIX   module 02", "./mvnw -q -DskipTests package",
                "module 03  03-dotenv not in this checkout (skipped)", "NOT READY");
    }
}
