package dev.keysafe.workshop.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import dev.keysafe.workshop.Module;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.testmodule.WhereAmI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** {@code ./kit run}: a module as its own JVM, with the caller's settings or offline against the stub. */
@Execution(ExecutionMode.CONCURRENT)
class RunCommandTest {

    /** A fresh canary key in any output would look like this (the kit never prints one). */
    private static final Pattern ANY_CANARY = Pattern.compile("sk-proj-[A-Za-z0-9]{20,}");

    /** {@code ./kit run id args...} from {@code callerDir}, clean environment; skipped while id is not built. */
    private static Result runBuilt(Path callerDir, String id, String... args) {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, id);
        String[] all = Stream.concat(Stream.of("run", id), Arrays.stream(args)).toArray(String[]::new);
        return Fixtures.kit(Fixtures.workspace(catalog, Fixtures.env(), callerDir), all);
    }

    @Test
    void run_02_offline_prints_the_stub_answer_and_exits_0(@TempDir Path callerDir) {
        Result result = runBuilt(callerDir, "02", "--offline", "hi");

        assertThat(result.exitCode()).as("exit code; stderr: %s", result.err()).isZero();
        assertThat(result.out().strip()).isEqualTo(OpenAiStub.ANSWER);
        assertThat(result.err()).contains("offline", "OPENAI_API_KEY in its environment");
        assertThat(ANY_CANARY.matcher(result.out() + result.err()).find()).as("a key in the output").isFalse();
    }

    @Test
    void run_01_offline_answers_with_the_key_written_in_its_code(@TempDir Path callerDir) {
        Result result = runBuilt(callerDir, "01", "--offline");

        assertThat(result.exitCode()).as("exit code; stderr withheld: 01 prints its key").isZero();
        assertThat(result.out()).contains(OpenAiStub.ANSWER);
        assertThat(result.err()).contains("(its own, from its code)");
    }

    @Test
    void run_05_offline_answers_with_the_key_it_read_from_a_secret_of_the_emulator(@TempDir Path callerDir) {
        Result result = runBuilt(callerDir, "05", "--offline", "hi");

        assertThat(result.exitCode()).as("exit code; stderr: %s", result.err()).isZero();
        assertThat(result.out().strip()).isEqualTo(OpenAiStub.ANSWER);
        assertThat(result.err()).contains(
                "in the secret keysafe/openai-api-key of a Secrets Manager emulator at http://127.0.0.1:")
                .doesNotContain("rotated");
        assertThat(ANY_CANARY.matcher(result.out() + result.err()).find()).as("a key in the output").isFalse();
    }

    @Test
    void run_05_offline_rotate_demo_runs_the_demo_program_with_the_seconds_and_loses_no_call_while_the_kit_rotates(
            @TempDir Path callerDir) {
        Result result = runBuilt(callerDir, "05", "--offline", "rotate-demo", "3");

        assertThat(result.exitCode()).as("exit code; stderr: %s", result.err()).isZero();
        assertThat(result.out()).contains("rotate-demo: asking from 4 threads for 3 s")
                .containsPattern("rotate-demo: \\d+ asks, 0 failed; keys used: \\.\\.\\.\\S{4} -> \\.\\.\\.\\S{4};");
        assertThat(result.err()).contains("rotated once it is asking");
        assertThat(ANY_CANARY.matcher(result.out() + result.err()).find()).as("a key in the output").isFalse();
    }

    @Test
    void a_command_that_runs_offline_gets_its_own_setup_and_only_the_arguments_after_its_word(@TempDir Path root,
                                                                                           @TempDir Path callerDir) {
        Fixtures.checkoutWithWhereAmI(root);
        // The stand-in with a second program, as 05 has its rotate demo: the setup marks its runs.
        Module withCommand = Fixtures.WHERE_AM_I.withCommand("again", WhereAmI.class.getName(), "the stand-in again",
                run -> run.launch(WhereAmI.class.getName()).env("KIT_TEST_MARKER", "set-up-for-again")
                        .env("OPENAI_API_KEY", run.key().value()));
        Workspace caller = Fixtures.workspace(new Catalog(root, List.of(withCommand)),
                Fixtures.env("KIT_TEST_MARKER", "from-the-caller"), callerDir);

        Result offline = Fixtures.kit(caller, "run", "98", "--offline", "again", "6");
        Result optionAfterTheWord = Fixtures.kit(caller, "run", "98", "again", "--offline", "6");
        Result inTheCallersSettings = Fixtures.kit(caller, "run", "98", "again", "6");
        Result theMainProgram = Fixtures.kit(caller, "run", "98", "--offline", "6");

        assertThat(offline.exitCode()).as(offline.err()).isZero();
        assertThat(offline.out()).contains("args=6", "marker=set-up-for-again", "OPENAI_API_KEY=set",
                "OPENAI_BASE_URL=set");
        assertThat(optionAfterTheWord.out()).contains("args=6", "marker=set-up-for-again");
        assertThat(inTheCallersSettings.out()).contains("args=6", "marker=from-the-caller", "OPENAI_API_KEY=unset",
                "dir=" + callerDir.toAbsolutePath().normalize());
        assertThat(theMainProgram.out()).contains("args=6", "marker=from-the-caller", "OPENAI_API_KEY=set");
    }

    @Test
    void run_02_with_the_callers_key_and_base_url_prints_only_the_answer(@TempDir Path callerDir) {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, "02");
        Canary key = Canary.fresh();
        try (OpenAiStub server = OpenAiStub.start()) {
            server.acceptKeys(key.value());

            Result result = Fixtures.kit(Fixtures.workspace(catalog,
                    Fixtures.env("OPENAI_API_KEY", key.value(), "OPENAI_BASE_URL", server.baseUrl()), callerDir),
                    "run", "02", "hi");

            assertThat(result.exitCode()).isZero();
            assertThat(result.out()).isEqualTo(OpenAiStub.ANSWER + System.lineSeparator());
            assertThat(server.bearerTokens()).containsExactly(key.value());
            assertThat(key.formsIn(result.out() + result.err())).isEmpty();
        }
    }

    @Test
    void run_02_without_a_key_passes_on_its_exit_code_2_and_its_message_naming_the_variable(@TempDir Path callerDir) {
        Result result = runBuilt(callerDir, "02");

        assertThat(result.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(result.err()).contains("OPENAI_API_KEY is not set");
        // The module's own message, then the way to try it with no key at all.
        assertThat(result.err().lines().toList()).last().asString()
                .isEqualTo("kit: no key at hand? Try it without an account: ./kit run 02 --offline");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void run_starts_the_module_in_the_callers_directory_with_the_callers_environment(@TempDir Path root,
                                                                                    @TempDir Path callerDir) {
        Catalog catalog = Fixtures.checkoutWithWhereAmI(root);

        Result result = Fixtures.kit(Fixtures.workspace(catalog,
                Fixtures.env("KIT_TEST_MARKER", "from-the-caller", "OPENAI_ORG_ID", "org-1"), callerDir),
                "run", "98", "what", "--verbose");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("dir=" + callerDir.toAbsolutePath().normalize(),
                "marker=from-the-caller", "OPENAI_ORG_ID=set", "OPENAI_API_KEY=unset",
                // arguments after the module id go to it, even those that look like options
                "args=what|--verbose");
        assertThat(result.err()).contains("stderr reaches the caller");
    }

    @Test
    void run_exits_with_the_modules_own_exit_code(@TempDir Path root, @TempDir Path callerDir) {
        Catalog catalog = Fixtures.checkoutWithWhereAmI(root);

        Result result = Fixtures.kit(Fixtures.workspace(catalog, Fixtures.env(), callerDir), "run", "98", "exit", "7");

        assertThat(result.exitCode()).isEqualTo(7);
        assertThat(result.out()).contains("args=exit|7");
        assertThat(result.err()).doesNotContain("--offline");

        Result config = Fixtures.kit(Fixtures.workspace(catalog, Fixtures.env(), callerDir), "run", "98", "exit", "2");
        assertThat(config.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(config.err()).contains("./kit run 98 --offline");
    }

    @Test
    void offline_runs_in_a_temporary_directory_without_the_callers_openai_and_aws_variables(@TempDir Path root,
                                                                                          @TempDir Path callerDir) {
        Catalog catalog = Fixtures.checkoutWithWhereAmI(root);

        Result result = Fixtures.kit(Fixtures.workspace(catalog, Fixtures.env("KIT_TEST_MARKER", "kept",
                "OPENAI_ORG_ID", "org-1", "AWS_REGION", "eu-west-1", "OPENAI_API_KEY", "the-callers-own"), callerDir),
                "run", "98", "--offline", "--", "--offline");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("marker=kept", "OPENAI_API_KEY=set", "OPENAI_BASE_URL=set",
                "OPENAI_ORG_ID=unset", "AWS_REGION=unset", "args=--offline");
        assertThat(result.out()).doesNotContain("dir=" + callerDir.toAbsolutePath().normalize());
        assertThat(result.err()).contains("OpenAI stub at http://127.0.0.1:");
    }

    @Test
    void run_99_fails_with_exit_64_and_one_line_listing_the_valid_ids(@TempDir Path callerDir) {
        Result result = Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), callerDir), "run", "99");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(Fixtures.catalog().ids()).startsWith("01, 02, 03, 04").contains("06");
        assertThat(result.err().strip()).isEqualTo(
                "kit: unknown module '99'. Valid ids: " + Fixtures.catalog().ids() + " (./kit run --help lists them).");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void run_of_a_module_that_is_not_built_fails_with_exit_64_saying_how_to_build_it(@TempDir Path root,
                                                                                    @TempDir Path callerDir)
            throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("02-env-vars/src"));
        Catalog unbuilt = Catalog.of(root);

        Result result = Fixtures.kit(Fixtures.workspace(unbuilt, Fixtures.env(), callerDir), "run", "02", "--offline");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("module 02 (02-env-vars) cannot run", "./mvnw -q -DskipTests package")
                .hasLineCount(1);
    }

    @Test
    void env_without_offline_is_refused_saying_to_set_environment(@TempDir Path root, @TempDir Path callerDir) {
        Catalog catalog = Fixtures.checkoutWithWhereAmI(root);

        Result result = Fixtures.kit(Fixtures.workspace(catalog, Fixtures.env(), callerDir), "run", "98", "--env", "staging");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("--env only applies with --offline", "ENVIRONMENT=staging");
        assertThat(result.out()).isEmpty();
    }
}
