package dev.keysafe.workshop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code ./kit --help} and each subcommand's help: usage, options, examples, exit codes. */
class HelpTest {

    @TempDir
    Path callerDir;

    private Result kit(String... args) {
        return Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), callerDir), args);
    }

    @Test
    void kit_help_mentions_every_subcommand() {
        Set<String> subcommands = Kit.commandLine(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), callerDir))
                .getSubcommands().keySet();

        Result help = kit("--help");

        assertThat(help.exitCode()).isZero();
        assertThat(subcommands).contains("run", "tour", "scan", "hooks", "lab", "progress", "quiz", "doctor", "drill", "room", "help");
        assertThat(subcommands).allSatisfy(name -> assertThat(help.out()).containsPattern("(?m)^  " + name + " "));
        assertThat(help.out()).contains("Usage: kit", "Examples:", "Exit codes", "JDK 17");
    }

    @Test
    void kit_help_shows_the_one_exit_code_table_of_the_kit_and_its_modules() {
        Result help = kit("--help");

        String table = help.out().substring(help.out().indexOf("Exit codes"));
        for (int code : new int[] {ExitCode.OK, ExitCode.FAILED, ExitCode.CONFIG, ExitCode.AUTH,
                ExitCode.RATE_LIMITED, ExitCode.UPSTREAM, ExitCode.KIT_USAGE}) {
            assertThat(table).as("exit code %d in the table", code).containsPattern("(?m)^  " + code + " +\\S");
        }
        assertThat(table).contains("one table for the kit and its modules", "passes the module's own code through");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "tour", "scan", "hooks", "lab", "progress", "quiz", "doctor", "drill", "room"})
    void each_subcommand_help_shows_usage_every_option_examples_and_exit_codes(String name) {
        CommandLine command = Kit.commandLine(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), callerDir))
                .getSubcommands().get(name);

        Result help = kit(name, "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: kit " + name, "Examples:", "Exit codes:", "./kit " + name);
        for (OptionSpec option : command.getCommandSpec().options()) {
            assertThat(help.out()).as("help of %s names %s", name, option.longestName()).contains(option.longestName());
        }
        assertThat(help.err()).isEmpty();
    }

    @Test
    void help_of_run_lists_every_module_with_its_lesson() {
        Result help = kit("run", "--help");

        for (Module module : Fixtures.catalog().modules()) {
            assertThat(help.out()).contains("  " + module.id() + "  " + module.folder());
            assertThat(help.out().replaceAll("\\s+", " ")).contains(module.lesson());
        }
    }

    @Test
    void help_command_shows_a_subcommands_help() {
        assertThat(kit("help", "tour").out()).contains("Usage: kit tour", "--only");
    }

    @Test
    void kit_without_a_command_prints_the_usage_and_exits_64() {
        Result result = kit();

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("kit: which command?", "Usage: kit");
    }

    @Test
    void an_unknown_command_fails_with_exit_64_and_a_suggestion() {
        Result result = kit("tourr");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("kit: Unmatched argument", "tour", "./kit --help");
    }

    @Test
    void version_comes_from_the_build() {
        Result result = kit("--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("keysafe kit ");
    }
}
