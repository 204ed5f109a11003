package dev.keysafe.proxy.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A seeded generator of requests a careless or hostile client could send the proxy: JSON bodies
 * with the wrong type at every field, huge, empty and deeply nested values, invalid UTF-8,
 * truncated JSON, duplicate keys, lying Content-Type, Content-Length and Transfer-Encoding
 * headers, mangled Authorization headers, path tricks, unexpected methods, raw protocol garbage,
 * and a share of valid requests. Each comes as the exact bytes to write to a socket, so nothing
 * a client library would refuse to send is out of reach.
 *
 * <p>The same seed gives the same sequence of shapes (the tokens inside differ per run, they are
 * made fresh), so a failure is replayed with {@code -Dfuzz.seed=...}. A probe's {@code shape}
 * describes it without any credential, so it can be printed.
 */
final class BadRequests {

    /** What a probe must get back, beyond the checks every answer passes. */
    enum Expect {
        /** A valid request: 200, with {@code mustContain} in the body. */
        ANSWERED,
        /** An admin route asked with a client or session token: 401, exactly. */
        REFUSED_401,
        /** Anything but a 5xx, a leak or a stack trace. */
        ANY,
        /**
         * Bytes that are not an HTTP/1.x request (another protocol, another version, nothing, half a
         * request): Jetty's bare 4xx, its 505 for a version it does not speak, or a silent close.
         */
        NOT_HTTP
    }

    /** Who a probe authenticates as: what a 2xx may show it. */
    enum Caller {
        NOBODY, CLIENT, SESSION, ADMIN
    }

    /**
     * One request to send: its position in the sequence, its family and shape (printable: never a
     * credential), the bytes, and what must come back.
     */
    record Probe(int index, String family, String shape, byte[] bytes, Expect expect, String mustContain,
                 Caller caller, boolean head) {
        /** The same probe without its bytes, to keep once it has been sent. */
        Probe sent() {
            return new Probe(index, family, shape, new byte[0], expect, mustContain, caller, head);
        }

        @Override
        public String toString() {
            return "#" + index + " [" + family + "] " + shape;
        }
    }

    /** What a probe carries as credentials; the values never enter a shape. */
    record Credentials(String clientToken, String sessionToken, String adminToken, String guessedKey) {
    }

    static final String CHAT = "/v1/chat/completions";
    static final String RESPONSES = "/v1/responses";
    static final String MODEL = "gpt-4o-mini";
    /** The Origin the proxy under test allows (PROXY_CORS_ORIGIN). */
    static final String CORS_ORIGIN = "https://app.keysafe.test";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> WORDS = List.of("hello", "key", "proxy", "budget", "token", "é", "日本",
            "🔑", "\\", "\"", "</script>", "${jndi:ldap://127.0.0.1/x}", "%s", "\t", "DROP TABLE", "null");
    private static final List<String> ROUTES = List.of(CHAT, RESPONSES, "/v1/models", "/admin/tokens",
            "/admin/tokens/tok_0123456789abcdef", "/admin/usage", "/admin/audit", "/admin/alerts", "/admin/rotate",
            "/health", "/session", "/", "/admin", "/chat.js", "/admin.js", "/admin-view.js", "/style.css", "/favicon.ico",
            "/favicon.svg");
    private static final List<String> UNKNOWN_ROUTES = List.of("/v1/embeddings", "/v1/files", "/v1/audio/speech",
            "/v1/completions", "/v1/chat/completions/extra", "/v2/chat/completions", "/debug", "/env", "/actuator/env",
            "/actuator/heapdump", "/heapdump", "/threaddump", "/.env", "/config", "/metrics", "/WEB-INF/web.xml",
            "/META-INF/MANIFEST.MF", "/public/index.html", "/logback.xml", "/prices.properties",
            "/favicon.png", "/robots.txt", "/admin/tokens/", "/admin/keys", "/v1", "/v1/");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD",
            "TRACE", "CONNECT", "get", "Post", "PROPFIND", "FOO", "M".repeat(300));
    /** Fields of a chat completions body, as paths: a name, or a number for a list position. */
    private static final List<List<Object>> CHAT_FIELDS = List.of(
            List.of("model"), List.of("messages"), List.of("messages", 0), List.of("messages", 0, "role"),
            List.of("messages", 0, "content"), List.of("messages", 0, "content", 0),
            List.of("messages", 0, "content", 0, "type"), List.of("messages", 0, "content", 0, "text"),
            List.of("messages", 0, "name"), List.of("messages", 0, "tool_calls"), List.of("stream"),
            List.of("stream_options"), List.of("stream_options", "include_usage"), List.of("max_tokens"),
            List.of("max_completion_tokens"), List.of("n"), List.of("tools"), List.of("tools", 0),
            List.of("tools", 0, "function"), List.of("tools", 0, "function", "parameters"), List.of("tool_choice"),
            List.of("temperature"), List.of("top_p"), List.of("logprobs"), List.of("logit_bias"), List.of("user"),
            List.of("metadata"), List.of("response_format"), List.of("seed"), List.of("stop"), List.of("store"),
            List.of("service_tier"), List.of("modalities"), List.of("audio"), List.of("prediction"),
            List.of("parallel_tool_calls"), List.of("api_base"), List.of("base_url"), List.of("api_key"),
            List.of("api_type"), List.of("api_version"), List.of("API_BASE"), List.of("Model"), List.of(""),
            List.of("x_unknown"));
    private static final List<List<Object>> RESPONSES_FIELDS = List.of(
            List.of("model"), List.of("input"), List.of("input", 0), List.of("input", 0, "role"),
            List.of("input", 0, "content"), List.of("instructions"), List.of("max_output_tokens"), List.of("stream"),
            List.of("tools"), List.of("tool_choice"), List.of("reasoning"), List.of("text"), List.of("store"),
            List.of("include"), List.of("metadata"), List.of("truncation"), List.of("temperature"),
            List.of("previous_response_id"), List.of("conversation"), List.of("background"), List.of("base_url"),
            List.of("max_tokens"), List.of("n"));

    private final Random random;
    private final Credentials credentials;
    private int taken;

    BadRequests(long seed, Credentials credentials) {
        this.random = new Random(seed);
        this.credentials = credentials;
    }

    /** The next {@code count} probes of this generator's sequence, numbered on from the last ones. */
    List<Probe> take(int count) {
        List<Probe> probes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            probes.add(next(taken++));
        }
        return probes;
    }

    // A family is chosen by weight; each returns one probe. Weights out of 100.
    private Probe next(int index) {
        int roll = random.nextInt(100);
        if (roll < 15) {
            return valid(index);
        } else if (roll < 45) {
            return wrongTypes(index);
        } else if (roll < 57) {
            return brokenJson(index);
        } else if (roll < 66) {
            return lyingFraming(index);
        } else if (roll < 79) {
            return headers(index);
        } else if (roll < 94) {
            return paths(index);
        } else if (roll < 97) {
            return protocol(index);
        } else {
            return admin(index);
        }
    }

    // ---- valid requests: the safe output the fuzz must not break ------------------------------

    private Probe valid(int index) {
        return switch (random.nextInt(8)) {
            case 0, 1, 2 -> {
                ObjectNode body = validChat();
                boolean stream = body.path("stream").asBoolean(false);
                yield probe(index, "valid", "chat completions" + (stream ? ", streamed" : "") + " with "
                                + body.size() + " fields", post(CHAT, bearer(credentials.clientToken()), body),
                        Expect.ANSWERED, stream ? "data: [DONE]" : OpenAiStub.ANSWER, Caller.CLIENT);
            }
            case 3, 4 -> probe(index, "valid", "responses", post(RESPONSES, bearer(credentials.clientToken()),
                    validResponses()), Expect.ANSWERED, OpenAiStub.ANSWER, Caller.CLIENT);
            case 5 -> probe(index, "valid", "models", request("GET", "/v1/models",
                    bearer(credentials.clientToken()), null), Expect.ANSWERED, "\"" + MODEL + "\"", Caller.CLIENT);
            case 6 -> probe(index, "valid", "health", request("GET", "/health", "", null), Expect.ANSWERED,
                    "\"ok\"", Caller.NOBODY);
            default -> {
                String page = pick(List.of("/", "/chat.js", "/admin", "/admin.js", "/admin-view.js", "/style.css",
                        "/favicon.ico"));
                yield probe(index, "valid", "page " + page, request("GET", page, "", null), Expect.ANSWERED, "",
                        Caller.NOBODY);
            }
        };
    }

    ObjectNode validChat() {
        ObjectNode body = NODES.objectNode().put("model", random.nextInt(4) == 0 ? "gpt-4o" : MODEL);
        ArrayNode messages = body.putArray("messages");
        if (random.nextBoolean()) {
            messages.addObject().put("role", "system").put("content", words(1 + random.nextInt(6)));
        }
        messages.addObject().put("role", "user").put("content", words(1 + random.nextInt(12)));
        if (random.nextInt(3) == 0) {
            body.put(random.nextBoolean() ? "max_tokens" : "max_completion_tokens", 1 + random.nextInt(64));
        }
        if (random.nextInt(4) == 0) {
            body.put("n", 1 + random.nextInt(4));
        }
        if (random.nextInt(3) == 0) {
            body.put("temperature", random.nextInt(21) / 10.0);
        }
        if (random.nextInt(5) == 0) {
            body.putArray("tools").addObject().put("type", "function").putObject("function").put("name", "lookup")
                    .putObject("parameters").put("type", "object");
        }
        if (random.nextInt(4) == 0) {
            body.put("stream", true);
            if (random.nextBoolean()) {
                body.putObject("stream_options").put("include_usage", random.nextBoolean());
            }
        }
        return body;
    }

    ObjectNode validResponses() {
        ObjectNode body = NODES.objectNode().put("model", MODEL);
        if (random.nextBoolean()) {
            body.put("input", words(1 + random.nextInt(10)));
        } else {
            body.putArray("input").addObject().put("role", "user").put("content", words(3));
        }
        if (random.nextBoolean()) {
            body.put("max_output_tokens", 1 + random.nextInt(64));
        }
        if (random.nextInt(3) == 0) {
            body.put("instructions", words(4));
        }
        return body;
    }

    // ---- wrong types, huge and empty values at every field ------------------------------------

    private Probe wrongTypes(int index) {
        boolean chat = random.nextInt(3) != 0;
        ObjectNode body = chat ? validChat() : validResponses();
        List<List<Object>> fields = chat ? CHAT_FIELDS : RESPONSES_FIELDS;
        StringBuilder shape = new StringBuilder(chat ? "chat:" : "responses:");
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            List<Object> path = pick(fields);
            if (random.nextInt(6) == 0) {
                remove(body, path);
                shape.append(" remove ").append(pathText(path));
            } else {
                Valued value = wrongValue();
                setAt(body, path, value.node());
                shape.append(" ").append(pathText(path)).append("=").append(value.shape());
            }
        }
        return probe(index, "wrong-types", shape.toString(),
                post(chat ? CHAT : RESPONSES, bearer(credentials.clientToken()), body), Expect.ANY, null,
                Caller.CLIENT);
    }

    private record Valued(String shape, JsonNode node) {
    }

    private Valued wrongValue() {
        return switch (random.nextInt(30)) {
            case 0 -> new Valued("null", NODES.nullNode());
            case 1 -> new Valued("true", NODES.booleanNode(true));
            case 2 -> new Valued("false", NODES.booleanNode(false));
            case 3 -> new Valued("0", NODES.numberNode(0));
            case 4 -> new Valued("-1", NODES.numberNode(-1));
            case 5 -> new Valued("2^31", NODES.numberNode(2_147_483_648L));
            case 6 -> new Valued("2^64", NODES.numberNode(BigInteger.TWO.pow(64)));
            case 7 -> new Valued("1.5", NODES.numberNode(1.5));
            case 8 -> new Valued("-0.0", NODES.numberNode(-0.0));
            case 9 -> new Valued("1e308", NODES.numberNode(1e308));
            case 10 -> new Valued("4.9e-324", NODES.numberNode(Double.MIN_VALUE));
            case 11 -> new Valued("\"\"", NODES.textNode(""));
            case 12 -> new Valued("\"   \"", NODES.textNode("   "));
            case 13 -> new Valued("words", NODES.textNode(words(3)));
            case 14 -> new Valued("\"gpt-4o-mini\"", NODES.textNode(MODEL));
            case 15 -> new Valued("CRLF text", NODES.textNode("a\r\nX-Injected: 1\r\n\r\nGET /admin/tokens"));
            case 16 -> new Valued("NUL text", NODES.textNode("gpt-4o-mini\u0000"));
            case 17 -> new Valued("control chars", NODES.textNode("\u0001\u0007\u001b[31m\u007f"));
            case 18 -> {
                int size = pick(List.of(1_000, 64_000, 500_000, 1_100_000));
                yield new Valued("string of " + size, NODES.textNode("a".repeat(size)));
            }
            case 19 -> new Valued("[]", NODES.arrayNode());
            case 20 -> new Valued("[1,\"a\",null]", NODES.arrayNode().add(1).add("a").addNull());
            case 21 -> {
                int size = pick(List.of(100, 10_000, 60_000));
                ArrayNode many = NODES.arrayNode();
                for (int i = 0; i < size; i++) {
                    many.add(i);
                }
                yield new Valued("array of " + size, many);
            }
            case 22 -> new Valued("{}", NODES.objectNode());
            case 23 -> new Valued("{\"a\":{}}", NODES.objectNode().set("a", NODES.objectNode()));
            case 24 -> {
                int depth = pick(List.of(10, 200, 900));
                yield new Valued("objects nested " + depth, nested(depth));
            }
            case 25 -> new Valued("[{\"role\":[]}]", NODES.arrayNode().add(NODES.objectNode().set("role",
                    NODES.arrayNode())));
            case 26 -> new Valued("a guessed OpenAI key", NODES.textNode(credentials.guessedKey()));
            case 27 -> new Valued("unicode", NODES.textNode("😀\u202Eevil\uFEFF\u2028"));
            case 28 -> new Valued("{\"include_usage\":\"yes\"}", NODES.objectNode().put("include_usage", "yes"));
            default -> new Valued("\"http://127.0.0.1:1/v1\"", NODES.textNode("http://127.0.0.1:1/v1"));
        };
    }

    private static JsonNode nested(int depth) {
        JsonNode node = NODES.objectNode();
        for (int i = 0; i < depth; i++) {
            ObjectNode outer = NODES.objectNode();
            outer.set("a", node);
            node = outer;
        }
        return node;
    }

    /** Sets {@code value} at {@code path}, replacing whatever stands in the way with a container. */
    private static void setAt(ObjectNode root, List<Object> path, JsonNode value) {
        JsonNode current = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object step = path.get(i);
            Object nextStep = path.get(i + 1);
            JsonNode child = childOf(current, step);
            boolean fits = nextStep instanceof Integer ? child != null && child.isArray()
                    : child != null && child.isObject();
            if (!fits) {
                child = nextStep instanceof Integer ? NODES.arrayNode() : NODES.objectNode();
                put(current, step, child);
            }
            current = child;
        }
        put(current, path.get(path.size() - 1), value);
    }

    private static JsonNode childOf(JsonNode node, Object step) {
        return step instanceof Integer i ? node.get(i) : node.get((String) step);
    }

    private static void put(JsonNode container, Object step, JsonNode value) {
        if (step instanceof Integer i) {
            ArrayNode array = (ArrayNode) container;
            while (array.size() <= i) {
                array.addNull();
            }
            array.set(i, value);
        } else {
            ((ObjectNode) container).set((String) step, value);
        }
    }

    private static void remove(ObjectNode root, List<Object> path) {
        JsonNode current = root;
        for (int i = 0; i < path.size() - 1 && current != null; i++) {
            current = childOf(current, path.get(i));
        }
        Object last = path.get(path.size() - 1);
        if (current instanceof ObjectNode object && last instanceof String name) {
            object.remove(name);
        } else if (current instanceof ArrayNode array && last instanceof Integer i && i < array.size()) {
            array.remove(i);
        }
    }

    private static String pathText(List<Object> path) {
        StringBuilder text = new StringBuilder();
        for (Object step : path) {
            text.append(step instanceof Integer i ? "[" + i + "]" : (text.isEmpty() ? "" : ".") + step);
        }
        return text.toString();
    }

    // ---- JSON that is broken as text: truncated, invalid UTF-8, duplicate keys, nesting --------

    private Probe brokenJson(int index) {
        boolean chat = random.nextInt(3) != 0;
        byte[] valid = utf8((chat ? validChat() : validResponses()).toString());
        String target = chat ? CHAT : RESPONSES;
        String shape;
        byte[] body;
        switch (random.nextInt(16)) {
            case 0 -> {
                int cut = random.nextInt(valid.length);
                shape = "truncated at byte " + cut + " of " + valid.length;
                body = java.util.Arrays.copyOf(valid, cut);
            }
            case 1 -> {
                byte[][] sequences = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80},
                        {(byte) 0xFE, (byte) 0xFF}};
                int which = random.nextInt(sequences.length);
                shape = "invalid UTF-8 sequence " + which + " inside a string";
                body = insertIntoString(valid, sequences[which]);
            }
            case 2 -> {
                shape = "UTF-8 byte order mark first";
                body = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, valid);
            }
            case 3 -> {
                shape = "UTF-16 body";
                body = new String(valid, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16);
            }
            case 4 -> {
                String field = pick(List.of("model", "messages", "stream", "max_tokens", "n", "input"));
                String value = pick(List.of("\"gpt-4o\"", "true", "[]", "9999", "null", "\"x\""));
                shape = "duplicate key " + field;
                body = utf8("{\"" + field + "\":" + value + "," + new String(valid, StandardCharsets.UTF_8).substring(1));
            }
            case 5 -> {
                int depth = pick(List.of(500, 1_001, 5_000, 50_000));
                boolean arrays = random.nextBoolean();
                shape = (arrays ? "arrays" : "objects") + " nested " + depth + " deep";
                body = utf8(arrays ? "[".repeat(depth) + "]".repeat(depth)
                        : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
            }
            case 6 -> {
                int depth = pick(List.of(1_001, 5_000));
                shape = "content nested " + depth + " deep";
                body = utf8("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "[".repeat(depth) + "]".repeat(depth) + "}]}");
            }
            case 7 -> {
                String top = pick(List.of("[]", "\"text\"", "42", "null", "true", "", " \r\n\t", "[{}]"));
                shape = "top level " + (top.isBlank() ? "empty" : top);
                body = utf8(top);
            }
            case 8 -> {
                String trailing = pick(List.of("}", "{}", "garbage", "\u0000\u0000", ",", "]", "\n{\"model\":\"gpt-4o\"}"));
                shape = "trailing " + printable(trailing);
                body = concat(valid, utf8(trailing));
            }
            case 9 -> {
                String lenient = pick(List.of("{'model':'gpt-4o-mini','messages':[]}", "{model:\"gpt-4o-mini\"}",
                        "{\"model\":\"gpt-4o-mini\",\"messages\":[],}", "{\"model\":\"gpt-4o-mini\",\"n\":NaN}",
                        "{\"model\":\"gpt-4o-mini\",\"n\":Infinity}", "{\"model\":\"gpt-4o-mini\",\"n\":0x10}",
                        "{\"model\":\"gpt-4o-mini\",\"n\":007}", "/*c*/{\"model\":\"gpt-4o-mini\"}",
                        "{\"model\":\"gpt-4o-mini\" \"messages\":[]}", "{\"model\":\"gpt-4o-mini\",\"max_tokens\":+5}"));
                shape = "lenient JSON " + lenient.replace("gpt-4o-mini", "M");
                body = utf8(lenient);
            }
            case 10 -> {
                int digits = pick(List.of(20, 400, 1_001, 5_000));
                String field = pick(List.of("max_tokens", "n", "temperature", "max_completion_tokens"));
                shape = field + " with " + digits + " digits";
                body = utf8("{\"model\":\"" + MODEL + "\",\"" + field + "\":" + "9".repeat(digits) + ",\"messages\":[]}");
            }
            case 11 -> {
                String number = pick(List.of("1e999999999", "-1e-999999999", "1E+2147483648", "0.0000000000000000001e20",
                        "64.0", "6.4e1", "-0", "1e2"));
                String field = pick(List.of("max_tokens", "n", "max_output_tokens", "max_completion_tokens"));
                shape = field + "=" + number;
                body = utf8("{\"model\":\"" + MODEL + "\",\"" + field + "\":" + number + ",\"messages\":[],\"input\":\"x\"}");
            }
            case 12 -> {
                int fields = pick(List.of(1_000, 30_000));
                StringBuilder many = new StringBuilder("{\"model\":\"" + MODEL + "\"");
                for (int i = 0; i < fields; i++) {
                    many.append(",\"f").append(i).append("\":").append(i);
                }
                shape = fields + " unknown fields";
                body = utf8(many.append("}").toString());
            }
            case 13 -> {
                String escape = pick(List.of("\\ud800", "\\udfff\\ud800", "\\u0000", "\\uZZZZ", "\\x41", "\\", "\\u00"));
                shape = "escape " + escape + " in model";
                body = utf8("{\"model\":\"gpt-4o-mini" + escape + "\",\"messages\":[]}");
            }
            case 14 -> {
                int size = pick(List.of(900_000, 1_048_576, 1_048_577, 3_000_000));
                shape = "whitespace-padded body of " + size + " bytes";
                body = concat(valid, utf8(" ".repeat(Math.max(0, size - valid.length))));
            }
            default -> {
                shape = "random bytes";
                body = new byte[1 + random.nextInt(512)];
                random.nextBytes(body);
            }
        }
        return probe(index, "broken-json", (chat ? "chat: " : "responses: ") + shape,
                request("POST", target, bearer(credentials.clientToken()) + "Content-Type: application/json\r\n", body),
                Expect.ANY, null, Caller.CLIENT);
    }

    private byte[] insertIntoString(byte[] json, byte[] inserted) {
        String text = new String(json, StandardCharsets.UTF_8);
        int at = text.indexOf("\"content\":\"");
        at = at < 0 ? text.indexOf("\"input\":\"") : at;
        at = at < 0 ? 1 : text.indexOf(":\"", at) + 2;
        byte[] head = utf8(text.substring(0, at));
        return concat(concat(head, inserted), java.util.Arrays.copyOfRange(json, head.length, json.length));
    }

    // ---- bodies whose framing lies: Content-Type, Content-Length, Transfer-Encoding ------------

    private Probe lyingFraming(int index) {
        byte[] body = utf8(validChat().put("stream", false).toString());
        String auth = bearer(credentials.clientToken());
        String head = "POST " + CHAT + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth;
        String shape;
        byte[] bytes;
        switch (random.nextInt(14)) {
            case 0 -> {
                String type = pick(List.of("text/plain", "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=xyz", "application/xml", "application/json; charset=utf-16",
                        "application/json; charset=nonsense", "application/json;;;;", "*/*", "",
                        "application/json, text/html", "application/" + "x".repeat(4_000)));
                shape = "Content-Type '" + abbreviate(type) + "'";
                bytes = raw(head + (type.isEmpty() ? "" : "Content-Type: " + type + "\r\n"), body, true);
            }
            case 1 -> {
                shape = "form body as urlencoded";
                bytes = raw(head + "Content-Type: application/x-www-form-urlencoded\r\n",
                        utf8("model=gpt-4o-mini&messages=hi&api_base=http%3A%2F%2F127.0.0.1%3A1"), true);
            }
            case 2 -> {
                int more = 1 + random.nextInt(1_000);
                shape = "Content-Length " + more + " bytes longer than the body";
                bytes = raw(head + "Content-Type: application/json\r\nContent-Length: " + (body.length + more) + "\r\n\r\n",
                        body, false);
            }
            case 3 -> {
                int less = 1 + random.nextInt(body.length - 1);
                shape = "Content-Length " + less + " bytes shorter than the body";
                bytes = raw(head + "Content-Type: application/json\r\nContent-Length: " + (body.length - less) + "\r\n\r\n",
                        body, false);
            }
            case 4 -> {
                String length = pick(List.of("-1", "abc", "+10", "0x10", "99999999999999999999", " 5 ", "1,2", ""));
                shape = "Content-Length '" + length + "'";
                bytes = raw(head + "Content-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n", body, false);
            }
            case 5 -> {
                boolean same = random.nextBoolean();
                shape = "two Content-Length headers, " + (same ? "equal" : "different");
                bytes = raw(head + "Content-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\nContent-Length: " + (same ? body.length : body.length + 7) + "\r\n\r\n", body, false);
            }
            case 6 -> {
                shape = "chunked body, well formed";
                bytes = raw(head + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", chunked(body), false);
            }
            case 7 -> {
                String size = pick(List.of("zz", "ffffffffffffffffffff", "-5", "1;ext=\"a\"", " 10", "0x10"));
                shape = "chunk size '" + size + "'";
                bytes = raw(head + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                        concat(utf8(size + "\r\n"), concat(body, utf8("\r\n0\r\n\r\n"))), false);
            }
            case 8 -> {
                shape = "Content-Length and chunked together (smuggling)";
                bytes = raw(head + "Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
                        concat(chunked(body), utf8("GET /admin/tokens HTTP/1.1\r\nHost: x\r\n\r\n")), false);
            }
            case 9 -> {
                String coding = pick(List.of("gzip, chunked", "identity", "chunked, chunked", "xchunked", "Chunked",
                        "chunked\r\nTransfer-Encoding: gzip"));
                shape = "Transfer-Encoding '" + printable(coding) + "'";
                bytes = raw(head + "Content-Type: application/json\r\nTransfer-Encoding: " + coding + "\r\n\r\n",
                        chunked(body), false);
            }
            case 10 -> {
                shape = "chunked without the last chunk";
                byte[] chunks = chunked(body);
                bytes = raw(head + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                        java.util.Arrays.copyOf(chunks, chunks.length - 5), false);
            }
            case 11 -> {
                boolean realGzip = random.nextBoolean();
                shape = "Content-Encoding gzip, " + (realGzip ? "gzipped" : "plain") + " body";
                bytes = raw(head + "Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
                        realGzip ? gzip(body) : body, true);
            }
            case 12 -> {
                shape = "Expect: 100-continue";
                bytes = raw(head + "Content-Type: application/json\r\nExpect: 100-continue\r\n", body, true);
            }
            default -> {
                shape = "pipelined: a valid request, then an admin route with the client token";
                byte[] first = raw(head + "Content-Type: application/json\r\n", body, true, false);
                bytes = concat(first, utf8("GET /admin/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                        + "Connection: close\r\n\r\n"));
            }
        }
        return probe(index, "framing", shape, bytes, Expect.ANY, null, Caller.CLIENT);
    }

    private static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += 37) {
            int n = Math.min(37, body.length - at);
            out.writeBytes(utf8(Integer.toHexString(n) + "\r\n"));
            out.write(body, at, n);
            out.writeBytes(utf8("\r\n"));
        }
        out.writeBytes(utf8("0\r\n\r\n"));
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(out)) {
            zip.write(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    // ---- headers: Authorization in every wrong shape, injection, size, Origin, Host ------------

    private Probe headers(int index) {
        String token = credentials.clientToken();
        boolean models = random.nextInt(4) == 0;
        String method = models ? "GET" : "POST";
        String path = models ? "/v1/models" : CHAT;
        byte[] body = models ? null : utf8(validChat().toString());
        String shape;
        String extra;
        Caller caller = Caller.CLIENT;
        switch (random.nextInt(24)) {
            case 0 -> {
                shape = "no Authorization";
                extra = "";
                caller = Caller.NOBODY;
            }
            case 1 -> {
                String value = pick(List.of("", "Bearer", "Bearer ", "Bearer  ", "Basic", "null", "undefined", "Bearer null"));
                shape = "Authorization '" + value + "'";
                extra = "Authorization: " + value + "\r\n";
                caller = Caller.NOBODY;
            }
            case 2 -> {
                String scheme = pick(List.of("Basic ", "Token ", "Digest ", "", "Bearer: ", "Bearer=", "Bearertoken "));
                String credential = scheme.equals("Basic ")
                        ? Base64.getEncoder().encodeToString(utf8(token + ":")) : token;
                shape = "wrong scheme '" + scheme.strip() + "'";
                extra = "Authorization: " + scheme + credential + "\r\n";
            }
            case 3 -> {
                String scheme = pick(List.of("bearer ", "BEARER ", "BeArEr ", "Bearer   "));
                shape = "scheme written '" + scheme.strip() + "' with " + scheme.length() + " characters";
                extra = "Authorization: " + scheme + token + "\r\n";
            }
            case 4 -> {
                String around = pick(List.of("\t", " ", "x", "\u00a0", "é", "🔑", "%20", "\\0", ".", "=="));
                boolean before = random.nextBoolean();
                shape = "token with '" + printable(around) + "' " + (before ? "before" : "after");
                extra = "Authorization: Bearer " + (before ? around + token : token + around) + "\r\n";
            }
            case 5 -> {
                int cut = 1 + random.nextInt(token.length() - 1);
                shape = "token cut to " + cut + " characters";
                extra = "Authorization: Bearer " + token.substring(0, cut) + "\r\n";
            }
            case 6 -> {
                shape = "token with one character changed";
                char[] chars = token.toCharArray();
                int at = 4 + random.nextInt(chars.length - 4);
                chars[at] = chars[at] == 'A' ? 'B' : 'A';
                extra = "Authorization: Bearer " + new String(chars) + "\r\n";
            }
            case 7 -> {
                boolean validFirst = random.nextBoolean();
                shape = "two Authorization headers, the valid one " + (validFirst ? "first" : "second");
                String good = "Authorization: Bearer " + token + "\r\n";
                String bad = "Authorization: Bearer ksp-garbage\r\n";
                extra = validFirst ? good + bad : bad + good;
            }
            case 8 -> {
                shape = "the admin token on a client route";
                extra = "Authorization: Bearer " + credentials.adminToken() + "\r\n";
                caller = Caller.ADMIN;
            }
            case 9 -> {
                shape = "a guessed OpenAI key as bearer";
                extra = "Authorization: Bearer " + credentials.guessedKey() + "\r\n";
                caller = Caller.NOBODY;
            }
            case 10 -> {
                String injection = pick(List.of("\rX-Injected: 1", "\nX-Injected: 1", "\r\n X-Folded: 1",
                        "\r\n\tX-Folded: 1", "\u0000", "\r\n\r\nGET /admin/tokens HTTP/1.1"));
                shape = "token followed by " + printable(injection);
                extra = "Authorization: Bearer " + token + injection + "\r\n";
            }
            case 11 -> {
                int size = pick(List.of(4_000, 9_000, 20_000, 70_000));
                shape = "token of " + size + " characters";
                extra = "Authorization: Bearer " + "k".repeat(size) + "\r\n";
                caller = Caller.NOBODY;
            }
            case 12 -> {
                int count = pick(List.of(100, 500, 2_000));
                StringBuilder many = new StringBuilder("Authorization: Bearer " + token + "\r\n");
                for (int i = 0; i < count; i++) {
                    many.append("X-H").append(i).append(": ").append(i).append("\r\n");
                }
                shape = count + " extra headers";
                extra = many.toString();
            }
            case 13 -> {
                String line = pick(List.of("X Y: 1", "X:Y: 1", ": empty-name", "NoColon", "é: 1", "X-A :1",
                        "X-B:\u0001", "X-C: " + "\u00ff".repeat(10)));
                shape = "header line '" + printable(line) + "'";
                extra = "Authorization: Bearer " + token + "\r\n" + line + "\r\n";
            }
            case 14 -> {
                String origin = pick(List.of(CORS_ORIGIN, CORS_ORIGIN + ".evil.example", "https://evil.example", "null",
                        CORS_ORIGIN.toUpperCase(Locale.ROOT), CORS_ORIGIN + "/", "http://app.keysafe.test", "",
                        CORS_ORIGIN + "\r\nX-Injected: 1", "https://app.keysafe.test:443"));
                shape = "Origin '" + printable(origin) + "'";
                extra = "Authorization: Bearer " + token + "\r\nOrigin: " + origin + "\r\n";
            }
            case 15 -> {
                String host = pick(List.of("", "evil.example", "127.0.0.1:1", "a".repeat(5_000), "[::1", "x y",
                        "127.0.0.1\r\nHost: evil.example"));
                shape = "Host '" + abbreviate(printable(host)) + "'";
                return probe(index, "headers", shape, raw(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                        + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n", body, true),
                        Expect.ANY, null, Caller.CLIENT);
            }
            case 16 -> {
                shape = "no Host header";
                return probe(index, "headers", shape, raw(method + " " + path + " HTTP/1.1\r\n"
                        + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n", body, true),
                        Expect.ANY, null, Caller.CLIENT);
            }
            case 17 -> {
                String forwarding = pick(List.of("X-Forwarded-Host: evil.example", "X-Forwarded-For: 10.0.0.1, 127.0.0.1",
                        "X-Forwarded-Proto: https", "Forwarded: for=1.2.3.4;host=evil.example", "X-Original-URL: /admin/tokens",
                        "X-Rewrite-URL: /admin/rotate", "X-HTTP-Method-Override: DELETE", "X-Real-IP: 1.2.3.4"));
                shape = "header '" + forwarding + "'";
                extra = "Authorization: Bearer " + token + "\r\n" + forwarding + "\r\n";
            }
            case 18 -> {
                String name = pick(List.of("Idempotency-Key", "OpenAI-Beta"));
                String value = pick(List.of("x".repeat(300), "a\u0001b", "", " leading", "é", "assistants=v2"));
                shape = name + " '" + abbreviate(printable(value)) + "'";
                extra = "Authorization: Bearer " + token + "\r\n" + name + ": " + value + "\r\n";
            }
            case 19 -> {
                String upgrade = pick(List.of("Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA",
                        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13",
                        "Connection: keep-alive", "TE: trailers", "Range: bytes=0-10", "If-None-Match: *",
                        "Accept-Encoding: gzip, br", "Accept: text/event-stream"));
                shape = "header '" + printable(upgrade.lines().findFirst().orElse("")) + "'";
                extra = "Authorization: Bearer " + token + "\r\n" + upgrade + "\r\n";
            }
            case 20 -> {
                shape = "session token";
                extra = "Authorization: Bearer " + credentials.sessionToken() + "\r\n";
                caller = Caller.SESSION;
            }
            case 21 -> {
                shape = "cookie instead of Authorization";
                extra = "Cookie: token=" + token + "; session=" + credentials.sessionToken() + "\r\n";
                caller = Caller.NOBODY;
            }
            case 22 -> {
                shape = "token in the query string";
                return probe(index, "headers", shape, request(method, path + "?api_key=" + token + "&token=" + token,
                        "Content-Type: application/json\r\n", body), Expect.ANY, null, Caller.NOBODY);
            }
            default -> {
                shape = "bare LF line endings";
                return probe(index, "headers", shape, utf8(method + " " + path + " HTTP/1.1\nHost: 127.0.0.1\n"
                        + "Authorization: Bearer " + token + "\nConnection: close\n"
                        + (body == null ? "\n" : "Content-Type: application/json\nContent-Length: " + body.length
                        + "\n\n" + new String(body, StandardCharsets.UTF_8))), Expect.ANY, null, Caller.CLIENT);
            }
        }
        String headers = extra + (body == null ? "" : "Content-Type: application/json\r\n");
        return probe(index, "headers", (models ? "models: " : "chat: ") + shape, request(method, path, headers, body),
                Expect.ANY, null, caller);
    }

    // ---- paths and methods: traversal, encodings, case, unknown routes, admin with client tokens --

    private Probe paths(int index) {
        String token = credentials.clientToken();
        if (random.nextInt(4) == 0) {
            // An admin route exactly as the operator calls it, but with a client's credential.
            String[][] admin = {{"POST", "/admin/tokens"}, {"GET", "/admin/tokens"},
                    {"DELETE", "/admin/tokens/tok_0123456789abcdef"}, {"GET", "/admin/usage"}, {"GET", "/admin/audit"},
                    {"GET", "/admin/alerts"}, {"POST", "/admin/rotate"}};
            String[] route = admin[random.nextInt(admin.length)];
            boolean session = random.nextInt(3) == 0;
            String body = route[0].equals("POST") ? "{\"name\":\"x\",\"models\":[\"gpt-4o\"],\"budget_usd\":1000}" : null;
            return probe(index, "paths", route[0] + " " + route[1] + " with a " + (session ? "session" : "client") + " token",
                    request(route[0], route[1], bearer(session ? credentials.sessionToken() : token)
                            + (body == null ? "" : "Content-Type: application/json\r\n"), body == null ? null : utf8(body)),
                    Expect.REFUSED_401, null, session ? Caller.SESSION : Caller.CLIENT);
        }
        String base = random.nextInt(5) == 0 ? pick(UNKNOWN_ROUTES) : pick(ROUTES);
        String method = random.nextInt(3) == 0 ? pick(METHODS) : (base.equals(CHAT) || base.equals(RESPONSES)
                || base.equals("/session") || base.equals("/admin/rotate") ? "POST" : "GET");
        String path = base;
        StringBuilder shape = new StringBuilder();
        int mutations = random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            String before = path;
            path = mutatePath(path, shape);
            if (path.equals(before)) {
                shape.append(" (no change)");
            }
        }
        byte[] body = method.equalsIgnoreCase("POST") || method.equals("PUT") || method.equals("PATCH")
                ? utf8(validChat().toString()) : null;
        // A target that is empty or holds a space breaks the request line itself ("GET  HTTP/1.1").
        boolean requestLineBroken = path.isEmpty() || path.chars().anyMatch(Character::isWhitespace);
        return probe(index, "paths", method.length() > 20 ? "long method" : method + " " + base + shape,
                request(method, path, bearer(token) + (body == null ? "" : "Content-Type: application/json\r\n"), body),
                requestLineBroken ? Expect.NOT_HTTP : Expect.ANY, null, Caller.CLIENT, method.equals("HEAD"));
    }

    private String mutatePath(String path, StringBuilder shape) {
        switch (random.nextInt(18)) {
            case 0 -> {
                shape.append(" with /../ into admin");
                return "/v1/.." + (random.nextBoolean() ? "/admin/tokens" : path);
            }
            case 1 -> {
                shape.append(" with encoded dot-dot");
                return "/v1/" + pick(List.of("%2e%2e", "%2E%2E", ".%2e", "%252e%252e", "%c0%ae%c0%ae")) + "/admin/tokens";
            }
            case 2 -> {
                shape.append(" with encoded slashes");
                return path.replace("/", pick(List.of("%2f", "%2F", "%252f", "%5c", "%c0%af")));
            }
            case 3 -> {
                shape.append(" with double slashes");
                return path.replace("/", "//");
            }
            case 4 -> {
                shape.append(" with a trailing ").append(pick(List.of("/", "/.", ";x=1", "%20", "%00", ".json")));
                return path + shape.substring(shape.lastIndexOf(" ") + 1);
            }
            case 5 -> {
                shape.append(" with letters case-flipped");
                StringBuilder flipped = new StringBuilder();
                for (char c : path.toCharArray()) {
                    flipped.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
                }
                return flipped.toString();
            }
            case 6 -> {
                shape.append(" with letters percent-encoded");
                StringBuilder encoded = new StringBuilder();
                for (char c : path.toCharArray()) {
                    encoded.append(Character.isLetter(c) && random.nextBoolean() ? String.format("%%%02x", (int) c)
                            : String.valueOf(c));
                }
                return encoded.toString();
            }
            case 7 -> {
                String bad = pick(List.of("%zz", "%", "%f", "%ff", "%00", "%0d%0a", "%u002e", "\u00e9", "\u0001", "{}",
                        "|", "^", "`", "\"", "<x>"));
                shape.append(" with '").append(printable(bad)).append("' inside");
                int at = 1 + random.nextInt(Math.max(1, path.length() - 1));
                return path.substring(0, Math.min(at, path.length())) + bad + path.substring(Math.min(at, path.length()));
            }
            case 8 -> {
                int size = pick(List.of(2_000, 9_000, 70_000));
                shape.append(" padded to ").append(size).append(" characters");
                return path + "/" + "a".repeat(size);
            }
            case 9 -> {
                String query = pick(List.of("?a=b", "?api_base=http://127.0.0.1:1/v1", "?stream=true&model=gpt-4o",
                        "?" + "x=1&".repeat(2_000), "?%zz", "?a=%00", "??", "?#frag", "?a[]=1&a[b]=2", "?" + "q".repeat(9_000)));
                shape.append(" with query '").append(abbreviate(query)).append("'");
                return path + query;
            }
            case 10 -> {
                shape.append(" with a fragment");
                return path + "#x";
            }
            case 11 -> {
                String authority = pick(List.of("http://127.0.0.1", "http://evil.example", "https://evil.example:443",
                        "http://user:pass@127.0.0.1", "//evil.example"));
                shape.append(" in absolute form via ").append(authority);
                return authority + path;
            }
            case 12 -> {
                shape.append(" as '*'");
                return "*";
            }
            case 13 -> {
                shape.append(" without the leading slash");
                return path.substring(1);
            }
            case 14 -> {
                shape.append(" with a dot segment");
                return path.replaceFirst("/", "/./");
            }
            case 15 -> {
                shape.append(" with a backslash");
                return path.replace("/", "\\");
            }
            case 16 -> {
                shape.append(" with unicode lookalikes");
                return path.replace("a", "\u0430").replace("o", "\u03bf");
            }
            default -> {
                shape.append(" with spaces");
                return path.replaceFirst("/", "/ ");
            }
        }
    }

    // ---- the protocol itself: request lines and versions that are not HTTP/1.1 ----------------

    private Probe protocol(int index) {
        String token = credentials.clientToken();
        String shape;
        byte[] bytes;
        Expect expect = Expect.NOT_HTTP;
        switch (random.nextInt(12)) {
            case 0 -> {
                shape = "no request line";
                bytes = utf8("\r\n\r\n");
            }
            case 1 -> {
                String version = pick(List.of("HTTP/1.0", "HTTP/0.9", "HTTP/1.2", "HTTP/2.0", "HTTP/3", "HTTP/9.9",
                        "FOO/1.1", "HTTP/1.1.1", "http/1.1", ""));
                shape = "version '" + version + "'";
                expect = version.equals("HTTP/1.0") ? Expect.ANY : Expect.NOT_HTTP;
                bytes = utf8("GET /v1/models " + version + "\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                        + "\r\nConnection: close\r\n\r\n");
            }
            case 2 -> {
                shape = "HTTP/0.9 style request";
                bytes = utf8("GET /health\r\n");
            }
            case 3 -> {
                shape = "HTTP/2 preface on a plain HTTP/1.1 port";
                bytes = utf8("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            }
            case 4 -> {
                shape = "TLS client hello on a plain port";
                bytes = new byte[] {0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, 0x00, 0x01};
            }
            case 5 -> {
                String separator = pick(List.of("\t", "  ", " \t "));
                expect = Expect.ANY;
                shape = "request line separated by '" + printable(separator) + "'";
                bytes = utf8("GET" + separator + "/v1/models" + separator + "HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Authorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
            }
            case 6 -> {
                expect = Expect.ANY;
                shape = "request line of 20000 characters";
                bytes = utf8("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            }
            case 7 -> {
                expect = Expect.ANY;
                shape = "leading empty lines";
                bytes = utf8("\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            }
            case 8 -> {
                shape = "request not finished";
                bytes = utf8("GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token);
            }
            case 9 -> {
                expect = Expect.ANY;
                shape = "CONNECT to another host";
                bytes = utf8("CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\nConnection: close\r\n\r\n");
            }
            case 10 -> {
                expect = Expect.ANY;
                shape = "OPTIONS *";
                bytes = utf8("OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            }
            default -> {
                shape = "random bytes";
                bytes = new byte[1 + random.nextInt(300)];
                random.nextBytes(bytes);
            }
        }
        return probe(index, "protocol", shape, bytes, expect, null, Caller.CLIENT);
    }

    // ---- the operator's routes with the admin token and bad input ---------------------------

    private Probe admin(int index) {
        String auth = bearer(credentials.adminToken());
        switch (random.nextInt(4)) {
            case 0, 1 -> {
                ObjectNode grant = NODES.objectNode().put("name", "fuzz").put("budget_usd", 1);
                grant.putArray("models").add(MODEL);
                String[] fields = {"name", "models", "budget_usd", "rpm", "expires_in_seconds", "max_tokens", "extra",
                        "models"};
                // budget_usd most often: it is the one number read as an amount of money.
                String field = random.nextInt(3) == 0 ? "budget_usd" : fields[random.nextInt(fields.length)];
                Valued value = field.equals("models") && random.nextBoolean()
                        ? new Valued("[model, wrong value]", NODES.arrayNode().add(MODEL).add(wrongValue().node()))
                        : random.nextInt(3) == 0 ? adminNumber() : wrongValue();
                grant.set(field, value.node());
                return probe(index, "admin", "create token with " + field + "=" + value.shape(),
                        post("/admin/tokens", auth, grant), Expect.ANY, null, Caller.ADMIN);
            }
            case 2 -> {
                String id = pick(List.of("tok_", "tok_0123456789ABCDEF", "../tokens", "%2e%2e", "tok_" + "0".repeat(5_000),
                        "tok_0123456789abcde%00", "*", "%ff", "tok_0123456789abcdef;x"));
                return probe(index, "admin", "revoke id '" + abbreviate(id) + "'",
                        request("DELETE", "/admin/tokens/" + id, auth, null), Expect.ANY, null, Caller.ADMIN);
            }
            default -> {
                String path = pick(List.of("/admin/usage?since=-1", "/admin/audit?limit=99999999999", "/admin/rotate",
                        "/admin/tokens?%zz"));
                String method = path.equals("/admin/rotate") ? "POST" : "GET";
                byte[] body = method.equals("POST") ? utf8(pick(List.of("", "{", "garbage", "{\"key\":\"sk-x\"}"))) : null;
                return probe(index, "admin", method + " " + abbreviate(path), request(method, path, auth
                        + (body == null ? "" : "Content-Type: application/json\r\n"), body), Expect.ANY, null, Caller.ADMIN);
            }
        }
    }

    private Valued adminNumber() {
        String number = pick(List.of("1e999999999", "-0", "1e-30", "1e400", "-1e400", "123456789012345678901234567890",
                "0.000000001", "0.0000000001", "1E+2"));
        // Written as it is: read into a tree first, 1e400 would be Infinity and print as a string.
        return new Valued(number, NODES.rawValueNode(new com.fasterxml.jackson.databind.util.RawValue(number)));
    }

    // ---- building bytes ----------------------------------------------------------------------

    private Probe probe(int index, String family, String shape, byte[] bytes, Expect expect, String mustContain,
                        Caller caller) {
        return probe(index, family, shape, bytes, expect, mustContain, caller, false);
    }

    private static Probe probe(int index, String family, String shape, byte[] bytes, Expect expect,
                               String mustContain, Caller caller, boolean head) {
        return new Probe(index, family, shape, bytes, expect, mustContain, caller, head);
    }

    private static String bearer(String token) {
        return "Authorization: Bearer " + token + "\r\n";
    }

    private static byte[] post(String path, String headers, JsonNode body) {
        return request("POST", path, headers + "Content-Type: application/json\r\n", utf8(body.toString()));
    }

    /** A request with a correct Content-Length when there is a body; closes after the answer. */
    static byte[] request(String method, String path, String headers, byte[] body) {
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers;
        return raw(head, body, true);
    }

    private static byte[] raw(String head, byte[] body, boolean addLength) {
        return raw(head, body, addLength, true);
    }

    /** {@code head} (request line and headers) and {@code body}, with Content-Length and Connection: close if asked. */
    private static byte[] raw(String head, byte[] body, boolean addLength, boolean close) {
        StringBuilder all = new StringBuilder(head);
        if (addLength) {
            if (body != null) {
                all.append("Content-Length: ").append(body.length).append("\r\n");
            }
            if (close) {
                all.append("Connection: close\r\n");
            }
            all.append("\r\n");
        }
        return body == null ? utf8(all.toString()) : concat(utf8(all.toString()), body);
    }

    private String words(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(i == 0 ? "" : " ").append(pick(WORDS));
        }
        return text.toString();
    }

    private <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Control characters shown as escapes, so a shape prints on one line. */
    static String printable(String text) {
        StringBuilder shown = new StringBuilder();
        for (char c : text.toCharArray()) {
            shown.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return shown.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 30) + "...(" + text.length() + " chars)";
    }
}
