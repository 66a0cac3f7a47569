package io.tern.gateway;

import io.tern.engine.tokenizer.StreamingDecoder;
import io.tern.engine.tokenizer.Tokenizer;

/**
 * Turns generated ids into completion text as they arrive (the engine's {@link StreamingDecoder}),
 * leaving special tokens out unless asked to keep them, as vLLM and TGI do by default
 * ({@code skip_special_tokens}). A skipped token adds no bytes, so a character split around it still
 * comes out whole, and the pieces add up to {@link Tokenizer#decode} of the ids that were kept.
 */
final class CompletionDecoder {

    private final Tokenizer tokenizer;
    private final boolean skipSpecial;
    private final StreamingDecoder decoder;

    CompletionDecoder(Tokenizer tokenizer, boolean skipSpecial) {
        this.tokenizer = tokenizer;
        this.skipSpecial = skipSpecial;
        this.decoder = tokenizer.streamingDecoder();
    }

    /** Adds one token and returns the text it completes (possibly empty). */
    String push(int id) {
        return skipSpecial && isSkipped(tokenizer, id) ? "" : decoder.push(id);
    }

    /** Ends the sequence: returns what is left (U+FFFD for bytes of an unfinished character). */
    String finish() {
        return decoder.finish();
    }

    /**
     * Tokens that are not text: control tokens (Hugging Face's added tokens marked special, e.g.
     * {@code <|eot_id|>}, {@code <|reserved_special_token_0|>}) and unknown or unused ones, the set
     * llama.cpp leaves out of a piece without {@code special}. User-defined tokens (added tokens not
     * marked special) stay, as in Hugging Face's {@code skip_special_tokens}.
     */
    static boolean isSkipped(Tokenizer tokenizer, int id) {
        return tokenizer.isSkippedInText(id);
    }
}
