package dev.keysafe.workshop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@code ./kit tour}: 01's leaks are all found, a practice module is clean, and the verdict turns
 * red when either is not so.
 */
@Execution(ExecutionMode.CONCURRENT)
class TourCommandTest {

    private static final Pattern ANY_CANARY = Pattern.compile("sk-proj-[A-Za-z0-9]{20,}");

    @TempDir
    Path callerDir;

    @Test
    void tour_of_01_and_02_reports_01s_leaks_and_02_clean_and_exits_0() {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, "01");
        Fixtures.assumeBuilt(catalog, "02");
        String hardcodedKey = catalog.require("01").keySource().key(catalog.build(catalog.require("01"))).value();

        Result result = Fixtures.kit(Fixtures.workspace(catalog, Fixtures.env(), callerDir), "tour", "--only", "01,02");

        assertThat(result.exitCode()).as("exit code; report:%n%s", result.out()).isZero();
        String report = result.out();
        String hardcoded = section(report, "== 01 ", "== 02 ");
        assertThat(hardcoded).contains("shows     what not to do", "answered: " + dev.keysafe.testkit.stub.OpenAiStub.ANSWER,
                "with a rejected key: exit 1");
        assertThat(hardcoded).containsPattern("source files +C14 file 01-hardcoded-bad/src/main/java/")
                .containsPattern("build output +C16 keysafe-01-hardcoded-bad-.*\\.jar!/")
                .containsPattern("a normal run +C7 stderr")
                .containsPattern("a rejected-key run +C7 stderr")
                .contains("verdict   ok");
        if (Detectors.isInGitCheckout(catalog.root())) {
            assertThat(hardcoded).containsPattern("git history +C15 commit |git history not checked: 01-hardcoded-bad has no commits yet");
        }
        String envVars = section(report, "== 02 ", "== summary");
        assertThat(envVars).contains("answered: " + dev.keysafe.testkit.stub.OpenAiStub.ANSWER,
                "with a rejected key: exit 3", "leaks     none: the key reached the stub and nowhere else", "verdict   ok")
                .doesNotContain("C1", "C7", "C14", "C16");
        assertThat(report).contains("tour passed: 2 of 2 module(s) ran", "01's leaks were all found",
                "next: read workshop/README.md", "./kit lab list");
        // The report names where a key went, never the key.
        assertThat(report).doesNotContain(hardcodedKey);
        assertThat(ANY_CANARY.matcher(report).find()).isFalse();
    }

    @Test
    void tour_fails_naming_the_channel_when_a_practice_module_leaks_its_key() {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, "02");
        // 02, given its key on the command line as well: ps shows it to every user of the machine.
        Module careless = Module.practice("02", "02-env-vars", "dev.keysafe.envvars.Ask", "a careless launch",
                run -> run.launch().env("OPENAI_API_KEY", run.key().value()).jvmArgs("-Dapi.key=" + run.key().value()));

        Result result = Fixtures.kit(Fixtures.workspace(new Catalog(catalog.root(), java.util.List.of(careless)),
                Fixtures.env(), callerDir), "tour");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("C11 command line (plain)", "verdict   FAILED: its key leaked: a normal run")
                .containsPattern("tour FAILED: 02: its key leaked: .*\\(\\d+\\.\\d s\\)");
        assertThat(ANY_CANARY.matcher(result.out()).find()).isFalse();
    }

    @Test
    void tour_fails_when_the_negative_control_leaks_nothing_because_its_detectors_are_unproven() {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, "02");
        // 02 posing as the negative control: it keeps its key, so "01's leaks all found" cannot hold.
        Module tooCareful = Module.negativeControl("02", "02-env-vars", "dev.keysafe.envvars.Ask", "no leaks at all",
                KeySource.FRESH, run -> run.launch().env("OPENAI_API_KEY", run.key().value()));

        Result result = Fixtures.kit(Fixtures.workspace(new Catalog(catalog.root(), java.util.List.of(tooCareful)),
                Fixtures.env(), callerDir), "tour");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("the detectors did not find its key in: source files; build output",
                "tour FAILED");
    }

    @Test
    void modules_that_are_not_built_are_listed_and_skipped_and_a_tour_of_none_fails(@TempDir Path root) {
        Result result = Fixtures.kit(Fixtures.workspace(Catalog.of(root), Fixtures.env(), callerDir), "tour", "--only", "02,03");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("== 02 env-vars", "skipped   02-env-vars/ is not in this checkout yet",
                "03  dotenv                skipped (not built)", "tour FAILED: no module is built");
    }

    @Test
    void tour_of_an_unknown_module_fails_with_exit_2_listing_the_ids() {
        Result result = Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), callerDir), "tour", "--only", "01,77");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("unknown module '77'", "01, 02, 03, 04");
    }

    private static String section(String report, String from, String to) {
        int start = report.indexOf(from);
        int end = report.indexOf(to, start + 1);
        assertThat(start).as("section %s in:%n%s", from, report).isNotNegative();
        assertThat(end).as("end of section %s", from).isPositive();
        return report.substring(start, end);
    }
}
