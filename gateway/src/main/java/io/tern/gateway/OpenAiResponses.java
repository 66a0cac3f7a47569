package io.tern.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds OpenAI-shaped response bodies and stream chunks for one request. */
record OpenAiResponses(boolean chat, String requestId, String model, long created) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode error(GatewayException e) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode err = out.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.kind().openAiType);
        if (e.param() == null) {
            err.putNull("param");
        } else {
            err.put("param", e.param());
        }
        err.put("code", e.kind().code);
        return out;
    }

    private String id() {
        return (chat ? "chatcmpl-" : "cmpl-") + requestId;
    }

    private ObjectNode head(String object) {
        return JSON.createObjectNode().put("id", id()).put("object", object).put("created", created).put("model", model);
    }

    private static String finish(FinishReason f) {
        return f == FinishReason.LENGTH ? "length" : "stop";
    }

    private static ObjectNode usage(GenerationListener.Outcome o) {
        return JSON.createObjectNode()
                .put("prompt_tokens", o.promptTokens())
                .put("completion_tokens", o.completionTokens())
                .put("total_tokens", o.promptTokens() + o.completionTokens());
    }

    ObjectNode whole(GenerationListener.Outcome o) {
        ObjectNode out = head(chat ? "chat.completion" : "text_completion");
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) {
            choice.putObject("message").put("role", "assistant").put("content", o.text()).putNull("refusal");
        } else {
            choice.put("text", o.text());
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finish(o.finish()));
        out.set("usage", usage(o));
        return out;
    }

    ObjectNode roleChunk() {
        ObjectNode out = head("chat.completion.chunk");
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta").put("role", "assistant").put("content", "");
        choice.putNull("logprobs").putNull("finish_reason");
        return out;
    }

    ObjectNode textChunk(String text) {
        ObjectNode out = head(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) {
            choice.putObject("delta").put("content", text);
        } else {
            choice.put("text", text);
        }
        choice.putNull("logprobs").putNull("finish_reason");
        return out;
    }

    ObjectNode finishChunk(GenerationListener.Outcome o) {
        ObjectNode out = head(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (chat) {
            choice.putObject("delta");
        } else {
            choice.put("text", "");
        }
        choice.putNull("logprobs").put("finish_reason", finish(o.finish()));
        return out;
    }

    ObjectNode usageChunk(GenerationListener.Outcome o) {
        ObjectNode out = head(chat ? "chat.completion.chunk" : "text_completion");
        out.putArray("choices");
        out.set("usage", usage(o));
        return out;
    }
}
