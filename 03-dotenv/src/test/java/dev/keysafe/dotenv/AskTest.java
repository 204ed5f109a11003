package dev.keysafe.dotenv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.run.Captured;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Module 03 end to end, in this JVM, against the OpenAI stub: where the key comes from. */
class AskTest {

    @RegisterExtension
    static final OpenAiStubExtension openai = new OpenAiStubExtension();

    @TempDir
    Path dir;

    @Test
    void key_in_dotenv_reaches_upstream_when_the_variable_is_not_set() throws IOException {
        Canary inFile = Canary.fresh();
        openai.stub().acceptOnly(inFile.value());
        writeDotenv("OPENAI_API_KEY=" + inFile.value());

        Captured run = run(env());

        assertThat(run.leaksOf(inFile)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).isEqualTo(OpenAiStub.ANSWER + System.lineSeparator());
        assertThat(openai.stub().keysSentNamed(Map.of("file", inFile))).containsExactly("file");
    }

    @Test
    void environment_variable_wins_over_the_dotenv_file() throws IOException {
        Canary inEnvironment = Canary.fresh();
        Canary inFile = Canary.fresh();
        openai.stub().acceptKeys(inEnvironment.value(), inFile.value());
        writeDotenv("OPENAI_API_KEY=" + inFile.value());

        Captured run = run(env("OPENAI_API_KEY", inEnvironment.value()));

        assertThat(run.leaksOf(inEnvironment)).isEmpty();
        assertThat(run.leaksOf(inFile)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).contains(OpenAiStub.ANSWER);
        assertThat(openai.stub().keysSentNamed(Map.of("environment", inEnvironment, "file", inFile)))
                .containsExactly("environment");
    }

    @Test
    void dotenv_file_wins_over_an_empty_environment_variable() throws IOException {
        Canary inFile = Canary.fresh();
        openai.stub().acceptOnly(inFile.value());
        writeDotenv("OPENAI_API_KEY=" + inFile.value());

        Captured run = run(env("OPENAI_API_KEY", "  "));

        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(openai.stub().keysSentNamed(Map.of("file", inFile))).containsExactly("file");
    }

    @Test
    void other_settings_come_from_the_dotenv_file_too() throws IOException {
        Canary key = Canary.fresh();
        openai.stub().acceptOnly(key.value());
        Map<String, String> env = env("OPENAI_API_KEY", key.value());
        // The stub's address only in the file: the client must still find it.
        String baseUrl = env.remove("OPENAI_BASE_URL");
        writeDotenv("OPENAI_BASE_URL=" + baseUrl);

        Captured run = run(env);

        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(openai.stub().keysSentNamed(Map.of("key", key))).containsExactly("key");
    }

    @Test
    void missing_dotenv_is_fine_when_the_variable_is_set() {
        Canary key = Canary.fresh();
        openai.stub().acceptOnly(key.value());
        assertThat(dir.resolve(".env")).doesNotExist();

        Captured run = run(env("OPENAI_API_KEY", key.value()));

        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).contains(OpenAiStub.ANSWER);
        assertThat(run.err()).isEmpty();
        assertThat(openai.stub().keysSentNamed(Map.of("key", key))).containsExactly("key");
    }

    @Test
    void missing_key_fails_fast_naming_the_variable_and_the_file_it_looked_for() {
        Captured run = run(env());

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err()).contains("OPENAI_API_KEY").contains(dir.resolve(".env").toString())
                .contains(".env.example").doesNotContain("Exception");
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void dotenv_without_the_variable_fails_naming_the_variable_and_the_file_never_its_values()
            throws IOException {
        Canary other = Canary.fresh();
        writeDotenv("# a key under the wrong name\nOPENAI_KEY=" + other.value());

        Captured run = run(env());

        assertThat(run.leaksOf(other)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("OPENAI_API_KEY").contains(dir.resolve(".env").toString())
                .contains("has no OPENAI_API_KEY line");
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void malformed_dotenv_fails_with_the_line_number_and_never_the_value() throws IOException {
        Canary key = Canary.fresh();
        writeDotenv("# my keys\nOPENAI_MODEL=gpt-4o-mini\nexport OPENAI_API_KEY=" + key.value());

        Captured run = run(env());

        assertThat(run.leaksOf(key)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("malformed line 3").contains(dir.resolve(".env").toString());
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void warns_once_without_the_value_when_others_can_read_the_dotenv_file() throws IOException {
        Canary key = Canary.fresh();
        openai.stub().acceptOnly(key.value());
        Path file = writeDotenv("OPENAI_API_KEY=" + key.value());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        Captured run = run(env());

        assertThat(run.leaksOf(key)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).contains(OpenAiStub.ANSWER);
        assertThat(run.err().lines().filter(line -> line.contains("chmod 600 " + file))).hasSize(1);
    }

    @Test
    void no_warning_when_only_the_owner_can_read_the_dotenv_file() throws IOException {
        Canary key = Canary.fresh();
        openai.stub().acceptOnly(key.value());
        Path file = writeDotenv("OPENAI_API_KEY=" + key.value());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        Captured run = run(env());

        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).contains(OpenAiStub.ANSWER);
        assertThat(run.err()).isEmpty();
    }

    private Path writeDotenv(String content) throws IOException {
        Path file = dir.resolve(".env");
        Files.writeString(file, content + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private Map<String, String> env(String... nameValues) {
        Map<String, String> env = new HashMap<>();
        env.put("OPENAI_BASE_URL", openai.stub().baseUrl());
        for (int i = 0; i < nameValues.length; i += 2) {
            env.put(nameValues[i], nameValues[i + 1]);
        }
        return env;
    }

    private Captured run(Map<String, String> env) {
        return Captured.run((out, err) -> Ask.run(env, dir, new String[] {"hi"}, out, err));
    }
}
