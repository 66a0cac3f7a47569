package io.tern.engine.generate;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.sampler.Sampler;
import io.tern.engine.sampler.SamplingParams;
import io.tern.engine.tokenizer.StreamingDecoder;
import io.tern.engine.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Single-process text generation: prefill the prompt in chunks, then decode one token at a time
 * until a stop token, a stop string or max tokens. Streams text as it completes.
 */
public final class Generator {
    private final ForwardPass pass;
    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;

    /** Text includes every token, control tokens too (the reference form tests compare against). */
    public Generator(ForwardPass pass, Tokenizer tokenizer) {
        this(pass, tokenizer, false);
    }

    /** With skipSpecialTokens, control/unknown/unused tokens are left out of the text (ids are unchanged). */
    public Generator(ForwardPass pass, Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.pass = pass;
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    public enum FinishReason { STOP, LENGTH }

    public record Result(int[] promptIds, int[] tokens, String text, FinishReason finish,
                         long prefillNanos, long decodeNanos) {
        public double prefillTokensPerSecond() { return promptIds.length / (prefillNanos / 1e9); }

        /** Decode steps are every generated token after the first (which prefill produced). */
        public double decodeTokensPerSecond() {
            return tokens.length <= 1 ? 0 : (tokens.length - 1) / (decodeNanos / 1e9);
        }
    }

    public Result generate(int[] promptIds, int maxTokens, SamplingParams params, Consumer<String> onText) {
        int vocab = pass.model().config().vocab();
        int context = pass.model().config().contextLength();
        if (promptIds.length == 0) throw new IllegalArgumentException("empty prompt");
        if (promptIds.length >= context)
            throw new IllegalArgumentException("prompt of " + promptIds.length + " tokens does not fit the context of " + context);
        int budget = Math.min(maxTokens, context - promptIds.length);
        KvCache cache = pass.newCache(promptIds.length + budget);
        Sampler sampler = new Sampler(params);
        StreamingDecoder decoder = tokenizer.streamingDecoder(skipSpecialTokens);
        StringBuilder text = new StringBuilder();

        long t0 = System.nanoTime();
        float[] logits = null;
        for (int off = 0; off < promptIds.length; off += pass.maxTokens()) {
            int n = Math.min(pass.maxTokens(), promptIds.length - off);
            logits = pass.forward(Arrays.copyOfRange(promptIds, off, off + n), cache, false);
        }
        long t1 = System.nanoTime();

        int[] out = new int[budget];
        int produced = 0;
        FinishReason finish = FinishReason.LENGTH;
        while (produced < budget) {
            int next = sampler.sample(logits, 0, vocab);
            if (tokenizer.isStopToken(next)) { finish = FinishReason.STOP; break; }
            out[produced++] = next;
            String piece = decoder.push(next);
            if (!piece.isEmpty()) {
                text.append(piece);
                onText.accept(piece);
            }
            if (produced < budget) logits = pass.forward(new int[]{next}, cache, false);
        }
        String rest = decoder.finish();
        if (!rest.isEmpty()) {
            text.append(rest);
            onText.accept(rest);
        }
        long t2 = System.nanoTime();
        return new Result(promptIds, Arrays.copyOf(out, produced), text.toString(), finish, t1 - t0, t2 - t1);
    }
}
