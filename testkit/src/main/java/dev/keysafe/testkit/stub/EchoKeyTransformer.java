package dev.keysafe.testkit.stub;

import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.keysafe.testkit.Canary;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Fills {@code %KEY%}, {@code %MASKED_KEY%} and {@code %PATH%} in a response from the request it
 * answers: this is how the stub echoes the key a client sent, as OpenAI's 401 does.
 */
final class EchoKeyTransformer implements ResponseTransformerV2 {

    static final String NAME = "keysafe-echo-key";

    @Override
    public Response transform(Response response, ServeEvent event) {
        String key = bearerOf(event.getRequest());
        String path = event.getRequest().getUrl();
        List<HttpHeader> headers = response.getHeaders().all().stream()
                .map(h -> new HttpHeader(h.key(), fill(h.firstValue(), key, path)))
                .collect(Collectors.toList());
        return Response.Builder.like(response).but()
                .body(fill(response.getBodyAsString(), key, path))
                .headers(new HttpHeaders(headers))
                .build();
    }

    private static String fill(String text, String key, String path) {
        return text.replace("%KEY%", key).replace("%MASKED_KEY%", Canary.mask(key)).replace("%PATH%", path);
    }

    static String bearerOf(Request request) {
        String header = request.getHeader("Authorization");
        if (header == null) {
            return "";
        }
        return header.startsWith("Bearer ") ? header.substring("Bearer ".length()) : header;
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
