package dev.keysafe.perenv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.run.Captured;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Module 04 end to end, in this JVM, against the OpenAI stub: which key each environment sends. */
class AskTest {

    @RegisterExtension
    static final OpenAiStubExtension openai = new OpenAiStubExtension();

    @TempDir
    Path dir;

    private final Canary dev = Canary.fresh();
    private final Canary staging = Canary.fresh();
    private final Canary prod = Canary.fresh();
    private final Map<String, Canary> keys = Map.of("dev", dev, "staging", staging, "prod", prod);

    @Test
    void staging_run_sends_only_the_staging_key_every_time() {
        openai.stub().acceptOnly(staging.value());

        for (int i = 0; i < 5; i++) {
            Captured run = run(allKeys("ENVIRONMENT", "staging"));

            assertThat(leaksOf(run)).isEmpty();
            assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
            assertThat(run.out()).contains(OpenAiStub.ANSWER);
        }
        assertThat(openai.stub().keysSentNamed(keys)).hasSize(5).containsOnly("staging");
    }

    @Test
    void staging_run_sends_only_the_staging_key_even_when_upstream_would_accept_every_key() {
        openai.stub().acceptKeys(dev.value(), staging.value(), prod.value());

        for (int i = 0; i < 5; i++) {
            assertThat(run(allKeys("ENVIRONMENT", "staging")).exitCode()).isEqualTo(ExitCode.OK);
        }
        assertThat(openai.stub().keysSentNamed(keys)).hasSize(5).containsOnly("staging");
    }

    @Test
    void development_is_the_default_environment() {
        openai.stub().acceptKeys(dev.value(), staging.value(), prod.value());

        Captured run = run(allKeys());

        assertThat(leaksOf(run)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run.err()).startsWith("environment: development,");
        assertThat(openai.stub().keysSentNamed(keys)).containsExactly("dev");
    }

    @Test
    void production_run_sends_the_production_key() {
        openai.stub().acceptKeys(dev.value(), staging.value(), prod.value());

        Captured run = run(allKeys("ENVIRONMENT", "production"));

        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(openai.stub().keysSentNamed(keys)).containsExactly("prod");
    }

    @Test
    void start_up_line_on_stderr_names_the_environment_and_the_key_fingerprint_stdout_only_the_answer() {
        openai.stub().acceptOnly(staging.value());

        Captured run = run(allKeys("ENVIRONMENT", "staging"));

        assertThat(leaksOf(run)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(run.out()).isEqualTo(OpenAiStub.ANSWER + System.lineSeparator());
        assertThat(run.err().lines()).containsExactly(
                "environment: staging, key OPENAI_API_KEY_STAGING " + staging.fingerprint());
    }

    @Test
    void missing_production_key_fails_fast_naming_its_variable_never_using_another_environments_key() {
        openai.stub().acceptKeys(dev.value(), staging.value());
        Map<String, String> env = allKeys("ENVIRONMENT", "production");
        env.remove("OPENAI_API_KEY_PROD");

        Captured run = run(env);

        assertThat(leaksOf(run)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err()).contains("OPENAI_API_KEY_PROD is not set").contains("ENVIRONMENT=production");
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void missing_staging_key_never_falls_back_to_plain_openai_api_key() {
        Canary plain = Canary.fresh();
        openai.stub().acceptKeys(plain.value());

        Captured run = run(env("ENVIRONMENT", "staging", "OPENAI_API_KEY", plain.value()));

        assertThat(Detectors.inText(plain, Channel.C7, "stderr", run.err())).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("OPENAI_API_KEY_STAGING is not set");
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void unknown_environment_fails_listing_the_valid_ones() {
        Captured run = run(allKeys("ENVIRONMENT", "qa"));

        assertThat(leaksOf(run)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err().lines()).containsExactly("ENVIRONMENT=qa is not a known environment. "
                + "Use one of: development, staging, production (unset means development).");
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void two_environments_with_the_same_key_refuse_to_run_naming_both_variables() {
        openai.stub().acceptKeys(dev.value(), prod.value());
        Map<String, String> env = allKeys("ENVIRONMENT", "production");
        env.put("OPENAI_API_KEY_STAGING", dev.value());

        Captured run = run(env);

        assertThat(leaksOf(run)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.err()).contains("OPENAI_API_KEY_DEV and OPENAI_API_KEY_STAGING hold the same key ("
                + dev.fingerprint() + ")");
        assertThat(openai.stub().journal()).isEmpty();
    }

    @Test
    void keys_and_environment_can_come_from_a_dotenv_file() throws IOException {
        openai.stub().acceptOnly(staging.value());
        writeDotenv("ENVIRONMENT=staging\nOPENAI_API_KEY_DEV=" + dev.value() + "\nOPENAI_API_KEY_STAGING="
                + staging.value() + "\n");

        Captured run = run(env());

        assertThat(leaksOf(run)).isEmpty();
        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(openai.stub().keysSentNamed(keys)).containsExactly("staging");
    }

    @Test
    void environment_variables_win_over_the_dotenv_file() throws IOException {
        openai.stub().acceptKeys(dev.value(), staging.value());
        writeDotenv("ENVIRONMENT=development\nOPENAI_API_KEY_STAGING=" + dev.value() + "\n");

        Captured run = run(env("ENVIRONMENT", "staging", "OPENAI_API_KEY_STAGING", staging.value()));

        assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(openai.stub().keysSentNamed(keys)).containsExactly("staging");
    }

    private void writeDotenv(String content) throws IOException {
        Path file = dir.resolve(".env");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    /** The stub's address, the three keys, and {@code more}. */
    private Map<String, String> allKeys(String... more) {
        Map<String, String> env = env(more);
        env.put("OPENAI_API_KEY_DEV", dev.value());
        env.put("OPENAI_API_KEY_STAGING", staging.value());
        env.put("OPENAI_API_KEY_PROD", prod.value());
        return env;
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

    /** Forms of any of the three keys in what {@code run} printed: none may appear. */
    private List<Finding> leaksOf(Captured run) {
        List<Finding> found = new ArrayList<>();
        for (Canary key : keys.values()) {
            found.addAll(run.leaksOf(key));
        }
        return found;
    }
}
