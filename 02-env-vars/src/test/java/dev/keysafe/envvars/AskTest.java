package dev.keysafe.envvars;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.run.Captured;
import dev.keysafe.testkit.stub.Fault;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Module 02's behaviour, in-process: what a user sees on stdout, stderr and in the exit code. */
class AskTest {

    @RegisterExtension
    static final OpenAiStubExtension OPENAI = new OpenAiStubExtension();

    private final Canary key = Canary.fresh();
    private Captured run = new Captured(-1, "", "");

    private int ask(Map<String, String> env, String... args) {
        run = Captured.run((out, err) -> Ask.run(env, args, out, err));
        return run.exitCode();
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("OPENAI_API_KEY", key.value());
        env.put("OPENAI_BASE_URL", OPENAI.stub().baseUrl());
        return env;
    }

    private String stdout() {
        return run.out();
    }

    private String stderr() {
        return run.err();
    }

    @Test
    void answer_is_the_only_thing_on_stdout_and_the_key_went_upstream() {
        OPENAI.stub().acceptKeys(key.value());

        int exit = ask(env(), "why", "env", "vars?");

        assertThat(exit).isEqualTo(ExitCode.OK);
        assertThat(stdout()).isEqualTo(OpenAiStub.ANSWER + System.lineSeparator());
        assertThat(stderr()).isEmpty();
        assertThat(OPENAI.stub().bearerTokens()).containsExactly(key.value());
    }

    @Test
    void missing_key_fails_fast_naming_the_variable() {
        Map<String, String> env = env();
        env.remove("OPENAI_API_KEY");

        assertThat(ask(env)).isEqualTo(ExitCode.CONFIG);
        assertThat(stderr()).startsWith("OPENAI_API_KEY is not set.").contains("02-env-vars/README.md")
                .hasLineCount(1);
        assertThat(stdout()).isEmpty();
        assertThat(OPENAI.stub().journal()).isEmpty();
    }

    @Test
    void blank_key_fails_like_a_missing_one() {
        Map<String, String> env = env();
        env.put("OPENAI_API_KEY", "   ");

        assertThat(ask(env)).isEqualTo(ExitCode.CONFIG);
        assertThat(stderr()).startsWith("OPENAI_API_KEY is not set.");
    }

    @Test
    void rejected_key_gives_one_line_without_any_part_of_the_key() {
        // the stub accepts no key: its 401 echoes ours, masked

        assertThat(ask(env())).isEqualTo(ExitCode.AUTH);
        assertThat(stderr()).contains("OpenAI refused the key (HTTP 401)").hasLineCount(1);
        assertThat(key.formsIn(stderr() + stdout())).isEmpty();
    }

    @Test
    void rate_limit_has_its_own_exit_code() {
        OPENAI.stub().acceptKeys(key.value()).retryAfterSeconds(0).fault(Fault.RATE_LIMITED_429);

        assertThat(ask(env())).isEqualTo(ExitCode.RATE_LIMITED);
        assertThat(stderr()).contains("HTTP 429").hasLineCount(1);
        assertThat(key.formsIn(stderr())).isEmpty();
    }

    @Test
    void unreachable_upstream_has_its_own_exit_code() {
        Map<String, String> env = env();
        env.put("OPENAI_BASE_URL", "http://127.0.0.1:1/v1");

        assertThat(ask(env)).isEqualTo(ExitCode.UPSTREAM);
        assertThat(stderr()).contains("could not be reached").hasLineCount(1);
    }

    @Test
    void redirect_is_not_followed_so_the_key_goes_nowhere_else() {
        OPENAI.stub().acceptKeys(key.value()).fault(Fault.REDIRECT_TO_OTHER_HOST);

        assertThat(ask(env())).isEqualTo(ExitCode.UPSTREAM);
        assertThat(stderr()).contains("redirect");
        assertThat(OPENAI.stub().journalElsewhere()).isEmpty();
    }

    @Test
    void plain_http_to_another_host_is_refused_before_any_request() {
        Map<String, String> env = env();
        env.put("OPENAI_BASE_URL", "http://api.example.com/v1");

        assertThat(ask(env)).isEqualTo(ExitCode.CONFIG);
        assertThat(stderr()).startsWith("OPENAI_BASE_URL must use https://");
        assertThat(OPENAI.stub().journal()).isEmpty();
    }

    @Test
    void the_key_holder_prints_a_fingerprint_only() {
        String printed = EnvVarKey.from(env()).toString();

        assertThat(printed).isEqualTo("ApiKey[" + key.fingerprint() + "]");
    }
}
