package dev.keysafe.workshop.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./kit hooks install}: what it writes, and what it refuses to overwrite. */
class HooksCommandTest {

    @TempDir
    Path dir;

    private Result kit(String... args) {
        return Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), dir), args);
    }

    @Test
    void install_writes_an_executable_pre_commit_hook_calling_the_kit_by_its_absolute_path() throws Exception {
        ScratchRepo.init(dir).close();

        Result result = kit("hooks", "install");

        Path hook = dir.resolve(".git/hooks/pre-commit");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("installed: " + hook);
        assertThat(hook).isExecutable();
        assertThat(Files.readString(hook)).startsWith("#!/bin/sh\n").contains(HooksCommand.MARKER,
                "KIT='" + Fixtures.root().resolve("kit") + "'", HooksCommand.SCAN_SCRIPT, "scan --staged",
                "commit blocked");
        assertThat(Fixtures.root().resolve(HooksCommand.SCAN_SCRIPT)).as("the script the hook runs").isExecutable();
    }

    @Test
    void in_another_repository_the_message_names_the_command_that_works_there_not_dot_slash_kit() {
        ScratchRepo.init(dir).close();

        Result result = kit("hooks", "install");

        assertThat(result.out()).contains("scanned first by " + Fixtures.root().resolve(HooksCommand.SCAN_SCRIPT),
                "Try it: " + Fixtures.root().resolve("kit") + " scan --staged").doesNotContain("./kit");
    }

    @Test
    void the_pre_commit_framework_hook_runs_the_same_script_on_staged_files() throws Exception {
        String hooks = Files.readString(Fixtures.root().resolve(".pre-commit-hooks.yaml"));

        assertThat(hooks).contains("- id: keysafe", "entry: " + HooksCommand.SCAN_SCRIPT, "language: script",
                "pass_filenames: false", "always_run: true", "stages: [pre-commit]");
    }

    @Test
    void install_in_a_subfolder_finds_the_repository_and_reinstalling_replaces_the_kits_own_hook() throws Exception {
        ScratchRepo.init(dir).close();
        Files.createDirectories(dir.resolve("src/deep"));
        Path hook = dir.resolve(".git/hooks/pre-commit");

        assertThat(kit("hooks", "install", "src/deep").exitCode()).isZero();
        Files.writeString(hook, Files.readString(hook) + "# an older version\n");
        assertThat(kit("hooks", "install").exitCode()).isZero();

        assertThat(Files.readString(hook)).isEqualTo(HooksCommand.hookScript(Fixtures.root().resolve("kit")));
    }

    @Test
    void an_existing_hook_that_is_not_the_kits_is_left_alone_with_exit_64() throws Exception {
        ScratchRepo.init(dir).close();
        Path hook = Files.createDirectories(dir.resolve(".git/hooks")).resolve("pre-commit");
        Files.writeString(hook, "#!/bin/sh\nrun-my-linter\n");

        Result result = kit("hooks", "install");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("already exists and is not the kit's",
                Fixtures.root().resolve(HooksCommand.SCAN_SCRIPT) + " || exit 1", "scan --staged").hasLineCount(1);
        assertThat(Files.readString(hook)).isEqualTo("#!/bin/sh\nrun-my-linter\n");
    }

    @Test
    void install_outside_a_git_repository_exits_64_naming_the_fix() {
        Result result = kit("hooks", "install");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("is not in a git repository", "git init").hasLineCount(1);
    }

    @Test
    void hooks_without_a_command_exits_64_with_the_usage() {
        Result result = kit("hooks");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("which hooks command? (install)", "Usage: kit hooks");
    }
}
