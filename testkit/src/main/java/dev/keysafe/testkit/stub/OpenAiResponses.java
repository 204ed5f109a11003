package dev.keysafe.testkit.stub;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;

/** Response bodies shaped like OpenAI's, so the official clients parse them unchanged. */
final class OpenAiResponses {

    static final String ID = "chatcmpl-keysafe0001";
    static final long CREATED = 1_767_225_600L;

    private OpenAiResponses() {
    }

    static String chatCompletion(String model, String answer) {
        ObjectNode body = Json.object().put("id", ID).put("object", "chat.completion").put("created", CREATED)
                .put("model", model);
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answer).putNull("refusal")
                .putArray("annotations");
        choice.putNull("logprobs").put("finish_reason", "stop");
        usage(body.putObject("usage"), "prompt_tokens", "completion_tokens");
        body.put("service_tier", "default").put("system_fingerprint", "fp_keysafe");
        return Json.write(body);
    }

    /** A {@code text/event-stream} body: role, one chunk per word, finish, optional usage, DONE. */
    static String chatCompletionStream(String model, String answer, boolean includeUsage) {
        StringBuilder sse = new StringBuilder();
        sse.append(event(chunk(model, Json.object().put("role", "assistant").put("content", ""), null, includeUsage)));
        for (String word : answer.split("(?<= )")) {
            sse.append(event(chunk(model, Json.object().put("content", word), null, includeUsage)));
        }
        sse.append(event(chunk(model, Json.object(), "stop", includeUsage)));
        if (includeUsage) {
            ObjectNode last = Json.object().put("id", ID).put("object", "chat.completion.chunk").put("created", CREATED)
                    .put("model", model);
            last.putArray("choices");
            usage(last.putObject("usage"), "prompt_tokens", "completion_tokens");
            sse.append(event(last));
        }
        sse.append("data: [DONE]\n\n");
        return sse.toString();
    }

    private static ObjectNode chunk(String model, ObjectNode delta, String finishReason, boolean includeUsage) {
        ObjectNode chunk = Json.object().put("id", ID).put("object", "chat.completion.chunk").put("created", CREATED)
                .put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs").put("finish_reason", finishReason);
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private static String event(ObjectNode json) {
        return "data: " + Json.write(json) + "\n\n";
    }

    private static void usage(ObjectNode usage, String in, String out) {
        usage.put(in, OpenAiStub.PROMPT_TOKENS).put(out, OpenAiStub.COMPLETION_TOKENS)
                .put("total_tokens", OpenAiStub.PROMPT_TOKENS + OpenAiStub.COMPLETION_TOKENS);
    }

    static String response(String model, String answer) {
        ObjectNode body = Json.object().put("id", "resp_keysafe0001").put("object", "response")
                .put("created_at", CREATED).put("status", "completed").put("model", model);
        ObjectNode message = body.putArray("output").addObject().put("type", "message").put("id", "msg_keysafe0001")
                .put("status", "completed").put("role", "assistant");
        message.putArray("content").addObject().put("type", "output_text").put("text", answer).putArray("annotations");
        ObjectNode usage = body.putObject("usage").put("input_tokens", OpenAiStub.PROMPT_TOKENS);
        usage.putObject("input_tokens_details").put("cached_tokens", 0).put("cache_write_tokens", 0);
        usage.put("output_tokens", OpenAiStub.COMPLETION_TOKENS);
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", OpenAiStub.PROMPT_TOKENS + OpenAiStub.COMPLETION_TOKENS);
        body.put("parallel_tool_calls", true).put("tool_choice", "auto").put("temperature", 1.0).put("top_p", 1.0);
        body.putArray("tools");
        body.putNull("error").putNull("incomplete_details").putNull("instructions").putObject("metadata");
        return Json.write(body);
    }

    static String models(Iterable<String> ids) {
        ObjectNode list = Json.object().put("object", "list");
        ArrayNode data = list.putArray("data");
        for (String id : ids) {
            data.addObject().put("id", id).put("object", "model").put("created", CREATED).put("owned_by", "openai");
        }
        return Json.write(list);
    }

    /** OpenAI's error envelope. {@code %KEY%} and {@code %MASKED_KEY%} are filled per request. */
    static String error(String message, String type, String code) {
        ObjectNode body = Json.object();
        body.putObject("error").put("message", message).put("type", type).putNull("param").put("code", code);
        return Json.write(body);
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
