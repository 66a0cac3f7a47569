package io.tern.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI request body (completions or chat completions) into a {@link GenerateCall}.
 * The model may be {@code name} or {@code name@version-or-alias}. Extensions (as vLLM has them):
 * {@code top_k}, {@code skip_special_tokens}.
 */
final class OpenAiRequest {

    private OpenAiRequest() {
    }

    static GenerateCall completion(JsonNode body, String requestId, String headerClientId, java.util.function.BiPredicate<String, String> isVersion) {
        JsonNode prompt = body.get("prompt");
        String text;
        if (prompt != null && prompt.isTextual()) {
            text = prompt.asText();
        } else if (prompt != null && prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            text = prompt.get(0).asText();
        } else {
            throw GatewayException.invalid("prompt", "prompt must be a string (or an array holding one string)");
        }
        return call(body, "completions", requestId, headerClientId, isVersion, text, null);
    }

    static GenerateCall chat(JsonNode body, String requestId, String headerClientId, java.util.function.BiPredicate<String, String> isVersion) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw GatewayException.invalid("messages", "messages must be a non-empty array");
        }
        List<ChatTemplate.Message> chat = new ArrayList<>();
        for (JsonNode m : messages) {
            String role = m.path("role").asText("");
            chat.add(new ChatTemplate.Message(role, content(m.get("content"))));
        }
        return call(body, "chat.completions", requestId, headerClientId, isVersion, null, chat);
    }

    private static String content(JsonNode c) {
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText())) {
                    throw GatewayException.invalid("messages", "only text content parts are supported, got '"
                            + part.path("type").asText() + "'");
                }
                text.append(part.path("text").asText());
            }
            return text.toString();
        }
        throw GatewayException.invalid("messages", "message content must be a string or an array of text parts");
    }

    private static GenerateCall call(JsonNode body, String endpoint, String requestId, String headerClientId,
                                     java.util.function.BiPredicate<String, String> isVersion, String prompt,
                                     List<ChatTemplate.Message> chat) {
        String modelField = body.path("model").asText("");
        if (modelField.isEmpty()) {
            throw GatewayException.invalid("model", "model is required");
        }
        String model = modelField;
        String version = "";
        String alias = "";
        int at = modelField.indexOf('@');
        if (at > 0) {
            model = modelField.substring(0, at);
            String pin = modelField.substring(at + 1);
            if (isVersion.test(model, pin)) {
                version = pin;
            } else {
                alias = pin;
            }
        }
        if (body.has("n") && !body.get("n").isNull() && body.get("n").asInt() != 1) {
            throw GatewayException.invalid("n", "only n = 1 is supported");
        }
        Long maxTokens = integer(body, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = integer(body, "max_tokens");
        }
        GenerateCall.Sampling sampling = new GenerateCall.Sampling(maxTokens, number(body, "temperature"),
                integer(body, "top_k"), number(body, "top_p"), integer(body, "seed"), stop(body.get("stop")),
                bool(body, "skip_special_tokens"));
        String user = body.path("user").asText("");
        String clientId = headerClientId != null && !headerClientId.isEmpty() ? headerClientId : user;
        return new GenerateCall(GenerateCall.Api.OPENAI, endpoint, requestId, clientId, model, version, alias,
                prompt, chat, sampling, 1f);
    }

    private static List<String> stop(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (stop.isArray()) {
            List<String> out = new ArrayList<>();
            stop.forEach(s -> out.add(s.asText()));
            return out;
        }
        throw GatewayException.invalid("stop", "stop must be a string or an array of strings");
    }

    private static Long integer(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            throw GatewayException.invalid(field, field + " must be an integer");
        }
        return v.asLong();
    }

    private static Boolean bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw GatewayException.invalid(field, field + " must be true or false");
        }
        return v.asBoolean();
    }

    private static Double number(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw GatewayException.invalid(field, field + " must be a number");
        }
        return v.asDouble();
    }
}
