package io.tern.gateway;

import java.util.List;

/**
 * A generation request as an API received it, before validation. Exactly one of prompt and chat is
 * set; null sampling fields take defaults.
 *
 * @param api                which API received the request
 * @param endpoint           operation within the API, e.g. "chat.completions" (for the request log)
 * @param requestId          caller's id, or empty to have one assigned
 * @param defaultTemperature temperature when the request gives none (OpenAI's default is 1, Tern's 0)
 */
public record GenerateCall(Api api, String endpoint, String requestId, String clientId,
                           String model, String version, String alias,
                           String prompt, List<ChatTemplate.Message> chat,
                           Sampling sampling, float defaultTemperature) {

    public enum Api {
        GRPC, OPENAI, OIP;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Sampling and output settings exactly as given (not yet checked); null = unset.
     *
     * @param skipSpecialTokens leave special tokens out of the text (default true)
     */
    public record Sampling(Long maxTokens, Double temperature, Long topK, Double topP, Long seed, List<String> stop,
                           Boolean skipSpecialTokens) {
        public static final Sampling DEFAULTS = new Sampling(null, null, null, null, null, List.of(), null);
    }
}
