package dev.keysafe.workshop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the tour's client records of 06's answers: every body as it arrived, so a key in an error
 * body or a stream is seen even where the SDK's parsed objects would drop it.
 */
class ProxyDriverTest {

    private static final ChatCompletionCreateParams QUESTION = ChatCompletionCreateParams.builder()
            .model("gpt-4o-mini").addUserMessage("hi").build();

    @Test
    void the_recorder_keeps_every_body_a_client_read_answers_streams_and_errors_included() {
        Canary key = Canary.fresh();
        Canary refused = Canary.fresh();
        ProxyDriver.Recorder recorder = new ProxyDriver.Recorder();
        try (OpenAiStub stub = OpenAiStub.start()) {
            stub.acceptKeys(key.value());
            OpenAIClient accepted = client(stub, key, recorder);
            OpenAIClient rejected = client(stub, refused, recorder);
            try {
                String plain = accepted.chat().completions().create(QUESTION).choices().get(0).message().content()
                        .orElse("");
                long chunks;
                try (StreamResponse<ChatCompletionChunk> stream = accepted.chat().completions().createStreaming(QUESTION)) {
                    chunks = stream.stream().count();
                }
                assertThatThrownBy(() -> rejected.chat().completions().create(QUESTION))
                        .isInstanceOf(UnauthorizedException.class);

                List<String> bodies = recorder.bodies();
                assertThat(plain).isEqualTo(OpenAiStub.ANSWER);
                assertThat(chunks).isGreaterThan(1);
                assertThat(bodies).hasSize(3);
                assertThat(bodies.get(0)).contains("\"content\":\"" + OpenAiStub.ANSWER + "\"");
                assertThat(bodies.get(1)).startsWith("data: ").contains("[DONE]");
                // OpenAI's 401 echoes the key it was sent, masked: exactly what the tour must be able to see.
                assertThat(refused.formsIn(bodies.get(2))).contains("masked (OpenAI 401 echo)");
                assertThat(key.formsIn(String.join("\n", bodies))).isEmpty();
            } finally {
                accepted.close();
                rejected.close();
            }
        }
    }

    private static OpenAIClient client(OpenAiStub stub, Canary key, ProxyDriver.Recorder recorder) {
        return OpenAIOkHttpClient.builder().baseUrl(stub.baseUrl()).apiKey(key.value()).maxRetries(0)
                .addInterceptor(recorder).build();
    }
}
