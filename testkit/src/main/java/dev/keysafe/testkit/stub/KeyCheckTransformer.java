package dev.keysafe.testkit.stub;

import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.keysafe.testkit.Canary;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Checks the request's key against the keys the stub accepts at the moment it answers, and turns
 * the answer into OpenAI's 401 when the key is missing or not accepted. The accepted keys can so
 * change while requests are in flight (a rotation under load) without the stub's routes changing.
 */
final class KeyCheckTransformer implements ResponseTransformerV2 {

    static final String NAME = "keysafe-key-check";

    private final Supplier<Set<String>> accepted;

    KeyCheckTransformer(Supplier<Set<String>> accepted) {
        this.accepted = accepted;
    }

    @Override
    public Response transform(Response response, ServeEvent event) {
        if (event.getRequest().getHeader("Authorization") == null) {
            return unauthorized(response, OpenAiResponses.missingKey());
        }
        String key = EchoKeyTransformer.bearerOf(event.getRequest());
        if (accepted.get().contains(key)) {
            return response;
        }
        return unauthorized(response, OpenAiResponses.invalidKey().replace("%MASKED_KEY%", Canary.mask(key)));
    }

    private static Response unauthorized(Response response, String body) {
        return Response.Builder.like(response).but().status(401).body(body).chunkedDribbleDelay(null)
                .headers(new HttpHeaders(new HttpHeader("Content-Type", "application/json"),
                        new HttpHeader("x-request-id", "req_keysafe")))
                .build();
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
