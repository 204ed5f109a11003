package com.example.faq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.KeysafeTest;
import dev.keysafe.testkit.stub.Fault;
import org.junit.jupiter.api.Test;

/** The faq bot's OpenAI key reaches OpenAI and nowhere else: not its output, logs, cache or command line. */
@KeysafeTest
class FaqBotKeepsItsKeyTest {

    @Test
    void key_reaches_openai_and_nowhere_else(Keysafe keysafe) {
        AppRun run = keysafe.app("com.example.faq.FaqBot").withOpenAiKeyIn("OPENAI_API_KEY")
                .args("What is a rate limit?").run();

        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.stdout()).as("the answer").isNotBlank();
        assertThat(run.filesWritten()).as("the cache").anyMatch(file -> file.endsWith("faq-cache.json"));
        keysafe.assertKeyReachedOpenAiAndNowhereElse();
    }

    @Test
    void a_refused_key_fails_without_showing_the_key(Keysafe keysafe) {
        // OpenAI's 401 body echoes the key it was sent, masked: a careless error message repeats it.
        keysafe.openAi().fault(Fault.UNAUTHORIZED_401);

        AppRun run = keysafe.app("com.example.faq.FaqBot").withOpenAiKeyIn("OPENAI_API_KEY").run();

        assertThat(run.exitCode()).as("%s", run).isNotZero();
        assertThat(run.stderr()).contains("HTTP 401");
        keysafe.assertKeyReachedOpenAiAndNowhereElse();
    }
}
