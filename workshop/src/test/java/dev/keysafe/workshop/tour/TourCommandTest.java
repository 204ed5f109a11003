package dev.keysafe.workshop.tour;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.leaks.GitPlaces;
import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Fixtures.Result;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.KeySource;
import dev.keysafe.workshop.Module;
import dev.keysafe.workshop.Server;
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
    void tour_of_01_02_and_04_reports_01s_leaks_and_the_others_clean_and_exits_0() {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, "01");
        Fixtures.assumeBuilt(catalog, "02");
        Fixtures.assumeBuilt(catalog, "04");
        String hardcodedKey = catalog.require("01").keySource().key(catalog.build(catalog.require("01"))).value();

        Result result = Fixtures.kit(Fixtures.workspace(catalog, Fixtures.env(), callerDir), "tour", "--only", "01,02,04");

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
        if (GitPlaces.isInGitCheckout(catalog.root())) {
            assertThat(hardcoded).containsPattern("git history +C15 commit |git history not checked: 01-hardcoded-bad has no commits yet");
        }
        String envVars = section(report, "== 02 ", "== 04 ");
        assertThat(envVars).contains("answered: " + dev.keysafe.testkit.stub.OpenAiStub.ANSWER,
                "with a rejected key: exit 3", "leaks     none: the key reached the stub and nowhere else", "verdict   ok")
                .doesNotContain("C1", "C7", "C14", "C16");
        // 04's refusal is shown whole, wrapped: never cut at the width of a terminal.
        assertThat(section(report, "== 04 ", "== summary").replaceAll("\\s+", " ")).contains("exit 2: "
                + "OPENAI_API_KEY_PROD is not set", "(see 04-per-environment/README.md); no other environment's key,"
                + " and not OPENAI_API_KEY, is used instead.", "verdict ok");
        assertThat(report).contains("tour passed: 3 of 3 module(s) ran", "01's leaks were all found",
                "next: read workshop/README.md", "./kit lab list");
        // The report names where a key went, never the key.
        assertThat(report).doesNotContain(hardcodedKey);
        assertThat(ANY_CANARY.matcher(report).find()).isFalse();
        assertReadable(report);
    }

    @Test
    void tour_of_05_reads_the_key_from_the_emulator_finds_it_nowhere_else_and_rotates_it_without_a_failed_call() {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, "05");

        Result result = Fixtures.kit(Fixtures.workspace(catalog, Fixtures.env(), callerDir), "tour", "--only", "05");

        assertThat(result.exitCode()).as("exit code; report:%n%s", result.out()).isZero();
        String secretsManager = section(result.out(), "== 05 ", "== summary").replaceAll("\\s+", " ");
        assertThat(secretsManager).contains("answered: " + dev.keysafe.testkit.stub.OpenAiStub.ANSWER,
                        "with a rejected key: exit 3", "rotate-demo: 4 threads ask",
                        "leaks none: the key reached the stub and nowhere else", "a demo run", "verdict ok")
                .containsPattern("exit 0: rotate-demo: \\d+ asks, 0 failed; keys used: \\.\\.\\.\\S{4} -> ");
        assertThat(result.out()).contains("05  secrets-manager       ok: clean", "tour passed: 1 of 1 module(s) ran");
        assertThat(ANY_CANARY.matcher(result.out()).find()).isFalse();
        assertReadable(result.out());
    }

    @Test
    void tour_of_06_drives_the_proxy_with_the_official_client_and_finds_its_key_nowhere_else() {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, "06");

        Result result = Fixtures.kit(Fixtures.workspace(catalog, Fixtures.env(), callerDir), "tour", "--only", "06");

        assertThat(result.exitCode()).as("exit code; report:%n%s", result.out()).isZero();
        // Long lines are wrapped: read the section as one line of words.
        String proxy = section(result.out(), "== 06 ", "== summary").replaceAll("\\s+", " ");
        assertThat(proxy).contains("shows the browser never sees the key",
                        "issued a client token with the admin token",
                        "openai-java, plain: " + dev.keysafe.testkit.stub.OpenAiStub.ANSWER,
                        "): " + dev.keysafe.testkit.stub.OpenAiStub.ANSWER,
                        "a wrong client token: 401 ", "(the stub saw nothing)",
                        "the server's key refused upstream: 502 ",
                        "leaks none: the key reached the stub and nowhere else",
                        "the server's output, what its clients received, requests upstream", "verdict ok")
                .containsPattern("started: keysafe proxy listening on http://127\\.0\\.0\\.1:\\d+/ \\(upstream http://127\\.0\\.0\\.1:\\d+/v1, key \\.\\.\\.\\w{4}\\)")
                .containsPattern("openai-java, streamed \\(\\d+ chunks\\)");
        assertThat(result.out()).contains("06  server-proxy          ok: clean", "tour passed: 1 of 1 module(s) ran");
        assertThat(ANY_CANARY.matcher(result.out()).find()).isFalse();
        assertReadable(result.out());
    }

    @Test
    void tour_fails_naming_the_channels_when_a_server_leaks_its_key() {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, "06");
        Module proxy = catalog.require("06");
        // 06 started carelessly (its key on the command line too: C11), and a drive that also records
        // what a careless proxy would hand its client: OpenAI's 401 body, which echoes the key masked (C1).
        Server forwardsTheUpstreamError = new Server() {
            @Override
            public java.util.regex.Pattern readyLine() {
                return proxy.server().readyLine();
            }

            @Override
            public String welcome(Session session) {
                throw new UnsupportedOperationException("the tour does not welcome");
            }

            @Override
            public Drive drive(Session session) {
                Drive real = proxy.server().drive(session);
                java.util.List<String> received = new java.util.ArrayList<>(real.received());
                ObjectNode echo = Json.object();
                echo.putObject("error").put("message",
                        "Incorrect API key provided: " + session.context().key().maskedForm() + ".");
                received.add(Json.write(echo));
                return new Drive(real.did(), received, real.problems());
            }
        };
        Module careless = Module.server("06", "06-server-proxy", proxy.mainClass(), "a careless launch",
                run -> proxy.offline().launch(run).jvmArgs("-Dapi.key=" + run.key().value()), forwardsTheUpstreamError)
                .touredWith(proxy.tourOptions());

        Result result = Fixtures.kit(Fixtures.workspace(new Catalog(catalog.root(), java.util.List.of(careless)),
                Fixtures.env(), callerDir), "tour");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("C11 command line (plain)", "C1 body ", " a client received, an error answer",
                        "(masked: OpenAI 401 echo)",
                        "verdict   FAILED: its key leaked: the server's output", "what its clients received")
                .containsPattern("tour FAILED: 06: its key leaked: .*\\(\\d+\\.\\d s\\)");
        assertThat(ANY_CANARY.matcher(result.out()).find()).isFalse();
        assertReadable(result.out());
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
        assertReadable(result.out());
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
    void tour_of_an_unknown_module_fails_with_exit_64_listing_the_ids() {
        Result result = Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), callerDir), "tour", "--only", "01,77");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("unknown module '77'", "01, 02, 03, 04", "06");
    }

    private static final Pattern CODE = Pattern.compile("\\bC(\\d{1,2})\\b");

    /**
     * A reader who has never seen the leak list can follow the report: every channel code it shows
     * is explained in the same module's section ({@code C7 = ...}), no bracket sits inside another,
     * and no line is cut short with "...".
     */
    private static void assertReadable(String report) {
        for (String section : report.split("\n(?=== )")) {
            java.util.regex.Matcher code = CODE.matcher(section);
            while (code.find()) {
                assertThat(section).as("the section that shows %s explains it", code.group())
                        .containsPattern("(?m)^(codes     |          )" + code.group() + " = \\S");
            }
        }
        assertThat(report).doesNotContain("((", "))").doesNotContainPattern("\\([^()]*\\([^()]*\\)[^()]*\\)");
        assertThat(report.lines()).noneMatch(line -> line.endsWith("...") || line.strip().startsWith("..."));
    }

    private static String section(String report, String from, String to) {
        int start = report.indexOf(from);
        int end = report.indexOf(to, start + 1);
        assertThat(start).as("section %s in:%n%s", from, report).isNotNegative();
        assertThat(end).as("end of section %s", from).isPositive();
        return report.substring(start, end);
    }
}
