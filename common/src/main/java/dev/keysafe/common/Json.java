package dev.keysafe.common;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON for the whole kit, built and read with Jackson: one shared mapper, and one strict reader
 * for bodies that come from outside (a client, an admin, a file). Never build JSON by
 * concatenating strings: a value with a quote in it breaks the document, and a key pasted into
 * one unescaped is a leak waiting to happen.
 */
public final class Json {

    /** The kit's one mapper. Thread-safe; do not reconfigure it. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Strict: a duplicated field or anything after the value is an error, so two readers can never
     * disagree about what a body says (one taking the first {@code model}, another the last).
     */
    private static final ObjectReader STRICT = MAPPER.reader()
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /** A body that is not one JSON object. Its message says what is wrong, never what the body held. */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** A new, empty object. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** A new, empty array. */
    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /**
     * {@code raw} read strictly as one JSON object.
     *
     * @throws Malformed when it is not valid JSON, holds a duplicated field or trailing content,
     *                   or is not an object
     */
    public static ObjectNode readObject(byte[] raw) throws Malformed {
        JsonNode node;
        try {
            node = STRICT.readTree(raw);
        } catch (IOException e) {
            throw new Malformed("The request body is not valid JSON.");
        }
        if (node == null || !node.isObject()) {
            throw new Malformed("The request body must be one JSON object.");
        }
        return (ObjectNode) node;
    }

    /** {@code text} read strictly as any JSON value; for the kit's own files and answers. */
    public static JsonNode read(String text) throws Malformed {
        try {
            JsonNode node = STRICT.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new Malformed("The text is empty, not JSON.");
            }
            return node;
        } catch (IOException e) {
            throw new Malformed("The text is not valid JSON.");
        }
    }

    /** {@code value} as compact JSON text. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code value} as indented JSON text, for files a person may open. */
    public static String writePretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
