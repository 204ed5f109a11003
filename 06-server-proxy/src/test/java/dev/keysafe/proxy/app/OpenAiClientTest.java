package dev.keysafe.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official openai-java client works against the proxy unchanged: the proxy's URL as base URL,
 * a client token as the "API key".
 */
class OpenAiClientTest {

    static final Canary KEY = Canary.fresh();

    @RegisterExtension
    static final OpenAiStubExtension openai = OpenAiStubExtension.accepting(KEY.value());

    @Test
    void official_client_gets_plain_and_streamed_answers_and_the_allowed_models() {
        try (TestProxy proxy = TestProxy.start(openai.stub().baseUrl(), KEY.value())) {
            OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(proxy.base + "/v1")
                    .apiKey(proxy.issue("gpt-4o-mini")).maxRetries(0).build();
            ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                    .model("gpt-4o-mini").addUserMessage("hello").build();
            try {
                String plain = client.chat().completions().create(params).choices().get(0).message().content()
                        .orElse("");
                String streamed;
                try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
                    streamed = stream.stream().flatMap(chunk -> chunk.choices().stream())
                            .flatMap(choice -> choice.delta().content().stream()).collect(Collectors.joining());
                }
                var models = client.models().list().data().stream().map(Model::id).toList();

                assertThat(plain).isEqualTo(OpenAiStub.ANSWER);
                assertThat(streamed).isEqualTo(OpenAiStub.ANSWER);
                assertThat(models).containsExactly("gpt-4o-mini");
                assertThat(openai.stub().bearerTokens()).containsOnly(KEY.value()).hasSize(2);
            } finally {
                client.close();
            }
        }
    }

    @Test
    void official_client_sees_the_proxys_refusals_as_typed_errors() {
        try (TestProxy proxy = TestProxy.start(openai.stub().baseUrl(), KEY.value())) {
            OpenAIClient allowed = OpenAIOkHttpClient.builder().baseUrl(proxy.base + "/v1")
                    .apiKey(proxy.issue("gpt-4o-mini")).maxRetries(0).build();
            OpenAIClient guessed = OpenAIOkHttpClient.builder().baseUrl(proxy.base + "/v1")
                    .apiKey(Canary.fresh().value()).maxRetries(0).build();
            try {
                assertThatThrownBy(() -> allowed.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model("gpt-4o").addUserMessage("hello").build()))
                        .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("may not use");
                assertThatThrownBy(() -> guessed.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model("gpt-4o-mini").addUserMessage("hello").build()))
                        .isInstanceOf(UnauthorizedException.class);
                assertThat(openai.stub().journal()).isEmpty();
            } finally {
                allowed.close();
                guessed.close();
            }
        }
    }
}
