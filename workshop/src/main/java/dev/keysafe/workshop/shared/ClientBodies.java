package dev.keysafe.workshop.shared;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The response bodies a server's clients received, searched for its key (C1). Each finding says
 * which body it was, in the order the clients received them, and what kind of answer it was, so
 * that a reader can tell the refusal from the stream.
 */
public final class ClientBodies {

    private ClientBodies() {
    }

    /** Where {@code key} shows up in {@code bodies}, in the order a client received them. */
    public static List<Finding> findings(Canary key, List<String> bodies) {
        List<Finding> found = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            String where = "body " + (i + 1) + " of " + bodies.size() + " a client received, " + kind(bodies.get(i));
            found.addAll(Detectors.inText(key, Channel.C1, where, bodies.get(i)));
        }
        return found;
    }

    /** What a body is, from its content: an answer, a stream, an error, an issued token. */
    static String kind(String body) {
        if (body.lines().anyMatch(line -> line.startsWith("data:"))) {
            return "a streamed answer";
        }
        try {
            JsonNode json = Json.readObject(body.getBytes(StandardCharsets.UTF_8));
            if (json.has("error")) {
                return "an error answer";
            }
            if (json.has("choices") || json.has("output")) {
                return "an answer";
            }
            if (json.has("token")) {
                return "the admin API's answer with a client token";
            }
            return "a JSON body";
        } catch (Json.Malformed notJson) {
            return "a body that is not JSON";
        }
    }
}
