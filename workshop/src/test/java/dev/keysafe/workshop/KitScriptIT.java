package dev.keysafe.workshop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./kit} script itself, as a user calls it: by its path, from another directory. It
 * runs after {@code package}, so the launcher's jar and classpath exist; KIT_NO_BUILD=1 keeps it
 * from starting a Maven build inside this one.
 */
class KitScriptIT {

    @TempDir
    Path elsewhere;

    @BeforeEach
    void posixOnly() {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "kit is the POSIX script; kit.cmd is for Windows");
    }

    @Test
    void kit_runs_from_any_directory_when_called_by_its_absolute_path() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "02");
        Path kit = Fixtures.root().resolve("kit");
        assertThat(kit).isExecutable();

        Run run = run(List.of(kit.toString(), "run", "02", "--offline", "hi"),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "PATH", System.getenv("PATH")));

        assertThat(run.exitCode).as("stderr: %s", run.err).isZero();
        assertThat(run.out).isEqualTo(OpenAiStub.ANSWER + "\n");
        assertThat(run.err).contains("kit: offline: OpenAI stub at http://127.0.0.1:");
    }

    @Test
    void the_kits_own_usage_error_exits_64_and_a_modules_configuration_error_passes_through_as_2() throws Exception {
        Fixtures.assumeBuilt(Fixtures.catalog(), "02");
        String kit = Fixtures.root().resolve("kit").toString();
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"), "PATH", System.getenv("PATH"));

        Run unknownCommand = run(List.of(kit, "tourr"), env);
        Run withoutKey = run(List.of(kit, "run", "02"), env);

        assertThat(unknownCommand.exitCode).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(unknownCommand.err).contains("kit: Unmatched argument", "./kit --help");
        assertThat(withoutKey.exitCode).isEqualTo(ExitCode.CONFIG);
        assertThat(withoutKey.err).contains("OPENAI_API_KEY is not set");
    }

    @Test
    void kit_refuses_a_java_older_than_17_naming_the_version_it_found() throws Exception {
        Path bin = Files.createDirectories(elsewhere.resolve("old-jdk/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();

        Run run = run(List.of(Fixtures.root().resolve("kit").toString(), "tour"),
                Map.of("PATH", bin + ":/usr/bin:/bin"));

        assertThat(run.exitCode).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(run.err).contains("keysafe needs a JDK 17 or newer", "11.0.22", "JAVA_HOME").hasLineCount(1);
        assertThat(run.out).isEmpty();
    }

    private record Run(int exitCode, String out, String err) {
    }

    private Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put("KIT_NO_BUILD", "1");
        Path out = elsewhere.resolve("out.txt");
        Path err = elsewhere.resolve("err.txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kit finished").isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
