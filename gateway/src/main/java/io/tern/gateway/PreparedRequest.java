package io.tern.gateway;

import io.tern.engine.sampler.SamplingParams;
import java.util.List;

/**
 * A validated, tokenized request ready to run.
 *
 * @param budget            tokens that may be generated: max_tokens, cut to what fits the context
 * @param skipSpecialTokens leave special tokens out of the completion text
 */
public record PreparedRequest(String requestId, GenerateCall call, VersionResolver.Resolution resolution,
                              TokenizerSource.ModelTokenizer tokenizer, int[] promptIds, String promptText,
                              SamplingParams sampling, int maxTokens, int budget, List<String> stop,
                              boolean skipSpecialTokens) {

    public String model() {
        return resolution.model();
    }

    public String version() {
        return resolution.version();
    }
}
