package io.tern.gateway;

import java.util.List;
import java.util.Set;

/**
 * Renders chat messages into prompt text. Only the LLaMA-3 header format is implemented (the
 * model's Jinja template is used to recognise the family, not executed):
 * <pre>
 * &lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\ncontent&lt;|eot_id|&gt; ... &lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n
 * </pre>
 * BOS is not part of the text; the caller prepends the BOS id.
 */
public final class ChatTemplate {

    public record Message(String role, String content) {
    }

    static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool", "ipython");

    private final String family;

    private ChatTemplate(String family) {
        this.family = family;
    }

    /** Picks the format for a model's {@code tokenizer.chat_template} (null when the model has none). */
    public static ChatTemplate forTemplate(String jinja) {
        boolean llama3 = jinja == null || jinja.contains("<|start_header_id|>");
        return new ChatTemplate(llama3 ? "llama3" : "llama3-fallback");
    }

    public String family() {
        return family;
    }

    public String render(List<Message> messages) {
        if (messages.isEmpty()) {
            throw GatewayException.invalid("messages", "chat has no messages");
        }
        StringBuilder out = new StringBuilder();
        for (Message m : messages) {
            if (!ROLES.contains(m.role())) {
                throw GatewayException.invalid("messages", "unknown chat role '" + m.role() + "' (expected one of " + ROLES + ")");
            }
            out.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
                    .append(m.content().strip()).append("<|eot_id|>");
        }
        return out.append("<|start_header_id|>assistant<|end_header_id|>\n\n").toString();
    }
}
