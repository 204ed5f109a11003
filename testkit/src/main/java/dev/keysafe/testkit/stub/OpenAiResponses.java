package dev.keysafe.testkit.stub;

/** Response bodies shaped like OpenAI's, so the official clients parse them unchanged. */
final class OpenAiResponses {

    static final String ID = "chatcmpl-keysafe0001";
    static final long CREATED = 1_767_225_600L;

    private OpenAiResponses() {
    }

    static String chatCompletion(String model, String answer) {
        return """
                {"id":"%s","object":"chat.completion","created":%d,"model":"%s",\
                "choices":[{"index":0,"message":{"role":"assistant","content":"%s","refusal":null,\
                "annotations":[]},"logprobs":null,"finish_reason":"stop"}],\
                "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d},\
                "service_tier":"default","system_fingerprint":"fp_keysafe"}"""
                .formatted(ID, CREATED, model, answer, OpenAiStub.PROMPT_TOKENS,
                        OpenAiStub.COMPLETION_TOKENS, OpenAiStub.PROMPT_TOKENS + OpenAiStub.COMPLETION_TOKENS);
    }

    /** A {@code text/event-stream} body: role, one chunk per word, finish, optional usage, DONE. */
    static String chatCompletionStream(String model, String answer, boolean includeUsage) {
        StringBuilder sse = new StringBuilder();
        sse.append(event(chunk(model, "{\"role\":\"assistant\",\"content\":\"\"}", "null", includeUsage)));
        String[] words = answer.split("(?<= )");
        for (String word : words) {
            sse.append(event(chunk(model, "{\"content\":\"" + word + "\"}", "null", includeUsage)));
        }
        sse.append(event(chunk(model, "{}", "\"stop\"", includeUsage)));
        if (includeUsage) {
            sse.append(event("""
                    {"id":"%s","object":"chat.completion.chunk","created":%d,"model":"%s","choices":[],\
                    "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}"""
                    .formatted(ID, CREATED, model, OpenAiStub.PROMPT_TOKENS, OpenAiStub.COMPLETION_TOKENS,
                            OpenAiStub.PROMPT_TOKENS + OpenAiStub.COMPLETION_TOKENS)));
        }
        sse.append("data: [DONE]\n\n");
        return sse.toString();
    }

    private static String chunk(String model, String delta, String finishReason, boolean includeUsage) {
        return """
                {"id":"%s","object":"chat.completion.chunk","created":%d,"model":"%s",\
                "choices":[{"index":0,"delta":%s,"logprobs":null,"finish_reason":%s}]%s}"""
                .formatted(ID, CREATED, model, delta, finishReason, includeUsage ? ",\"usage\":null" : "");
    }

    private static String event(String json) {
        return "data: " + json + "\n\n";
    }

    static String response(String model, String answer) {
        return """
                {"id":"resp_keysafe0001","object":"response","created_at":%d,"status":"completed",\
                "model":"%s","output":[{"type":"message","id":"msg_keysafe0001","status":"completed",\
                "role":"assistant","content":[{"type":"output_text","text":"%s","annotations":[]}]}],\
                "usage":{"input_tokens":%d,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},\
                "output_tokens":%d,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":%d},\
                "parallel_tool_calls":true,"tool_choice":"auto","tools":[],"temperature":1.0,"top_p":1.0,\
                "error":null,"incomplete_details":null,"instructions":null,"metadata":{}}"""
                .formatted(CREATED, model, answer, OpenAiStub.PROMPT_TOKENS, OpenAiStub.COMPLETION_TOKENS,
                        OpenAiStub.PROMPT_TOKENS + OpenAiStub.COMPLETION_TOKENS);
    }

    static String models(Iterable<String> ids) {
        StringBuilder data = new StringBuilder();
        for (String id : ids) {
            if (data.length() > 0) {
                data.append(',');
            }
            data.append("{\"id\":\"%s\",\"object\":\"model\",\"created\":%d,\"owned_by\":\"openai\"}"
                    .formatted(id, CREATED));
        }
        return "{\"object\":\"list\",\"data\":[" + data + "]}";
    }

    /** OpenAI's error envelope. {@code %KEY%} and {@code %MASKED_KEY%} are filled per request. */
    static String error(String message, String type, String code) {
        return """
                {"error":{"message":"%s","type":"%s","param":null,"code":%s}}"""
                .formatted(message, type, code == null ? "null" : "\"" + code + "\"");
    }

    /** The real 401 for a wrong key: its message echoes the key, masked. */
    static String invalidKey() {
        return error("Incorrect API key provided: %MASKED_KEY%. You can find your API key at "
                + "https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key");
    }

    static String missingKey() {
        return error("You didn't provide an API key. You need to provide your API key in an "
                + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                "invalid_request_error", null);
    }
}
