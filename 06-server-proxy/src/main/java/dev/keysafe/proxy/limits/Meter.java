package dev.keysafe.proxy.limits;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Counts what a request used: the real {@code usage} when the answer carries it, otherwise an
 * estimate from the stream seen so far (a stream cut short is still billed for what it sent).
 */
final class Meter {

    private final long promptEstimate;
    private final boolean stream;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long prompt = -1;
    private long completion = -1;
    private long chunks;
    private boolean seen;
    private boolean json;

    Meter(long requestBytes, boolean stream) {
        // About four bytes a token: an estimate used only when a stream ends without usage.
        this.promptEstimate = (requestBytes + 3) / 4;
        this.stream = stream;
    }

    boolean seenAnything() {
        return seen;
    }

    long promptTokens() {
        return prompt >= 0 ? prompt : seen ? promptEstimate : 0;
    }

    long completionTokens() {
        return completion >= 0 ? completion : chunks;
    }

    /** What the proxy relayed: a whole JSON answer, or the next bytes of a server-sent event stream. */
    void feed(byte[] bytes, int length) {
        if (!seen) {
            // An upstream may answer a request for a stream with plain JSON; a stream never starts with "{".
            int start = 0;
            while (start < length && Character.isWhitespace(bytes[start])) {
                start++;
            }
            json = !stream || (start < length && bytes[start] == '{');
        }
        seen = true;
        if (json) {
            try {
                usageFrom(Json.read(new String(bytes, 0, length, StandardCharsets.UTF_8)));
            } catch (Json.Malformed ignored) {
                // the proxy relays only JSON it has read; nothing to count otherwise
            }
            return;
        }
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                onLine(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else if (line.size() < 1_048_576) {
                line.write(b);
            }
        }
    }

    private void usageFrom(JsonNode answer) {
        JsonNode usage = answer.path("usage");
        if (usage.isObject()) {
            long in = usage.has("prompt_tokens") ? usage.path("prompt_tokens").asLong() : usage.path("input_tokens").asLong();
            long out = usage.has("completion_tokens") ? usage.path("completion_tokens").asLong()
                    : usage.path("output_tokens").asLong();
            prompt = Math.max(0, in);
            completion = Math.max(0, out);
        }
    }

    /** A complete line of the stream; only {@code data:} lines are looked at. */
    private void onLine(String text) {
        if (!text.startsWith("data:")) {
            return;
        }
        if (text.contains("\"usage\":{")) {
            try {
                JsonNode event = Json.read(text.substring(5).strip());
                JsonNode holder = event.has("usage") ? event : event.path("response");
                if (holder.path("usage").isObject()) {
                    usageFrom(holder);
                }
            } catch (Json.Malformed ignored) {
                // not JSON: counted as nothing
            }
        } else if (text.contains("\"delta\"")) {
            chunks++;
        }
    }
}
