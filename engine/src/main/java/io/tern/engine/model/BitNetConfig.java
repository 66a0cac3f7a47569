package io.tern.engine.model;

import io.tern.engine.gguf.GgufFormatException;
import io.tern.engine.gguf.GgufMetadata;

/**
 * Hyper-parameters of a BitNet b1.58 model, read from GGUF metadata.
 * Works for llama.cpp's arch {@code bitnet} and bitnet.cpp's {@code bitnet-b1.58}: both use
 * the same keys under their own prefix.
 */
public record BitNetConfig(
        String architecture,
        int layers,
        int dim,          // n_embd
        int ffnDim,       // n_ff
        int heads,
        int kvHeads,
        int headDim,
        int ropeDim,      // rotated dimensions per head (== headDim for BitNet)
        int vocab,
        int contextLength,
        float ropeTheta,
        float rmsEps) {

    public static final java.util.Set<String> ARCHITECTURES = java.util.Set.of("bitnet", "bitnet-b1.58");

    public BitNetConfig {
        if (layers <= 0 || dim <= 0 || ffnDim <= 0 || heads <= 0 || kvHeads <= 0 || vocab <= 0)
            throw new IllegalArgumentException("model hyper-parameters must be positive: " + describe(layers, dim, ffnDim, heads, kvHeads, vocab));
        if (dim % heads != 0)
            throw new IllegalArgumentException("embedding length " + dim + " is not a multiple of head count " + heads);
        if (heads % kvHeads != 0)
            throw new IllegalArgumentException("head count " + heads + " is not a multiple of KV head count " + kvHeads);
        if (ropeDim <= 0 || ropeDim > headDim || ropeDim % 2 != 0)
            throw new IllegalArgumentException("rope dimension " + ropeDim + " must be even and within head size " + headDim);
    }

    public static BitNetConfig from(GgufMetadata md) throws GgufFormatException {
        String arch = md.requireString("general.architecture");
        if (!ARCHITECTURES.contains(arch))
            throw new GgufFormatException("unsupported architecture '" + arch + "' (expected one of " + ARCHITECTURES + ")");
        String p = arch + ".";
        int dim = requireInt(md, p + "embedding_length");
        int heads = requireInt(md, p + "attention.head_count");
        int headDim = dim / Math.max(heads, 1);
        int vocab = md.getInt(p + "vocab_size", md.getStringArray("tokenizer.ggml.tokens").size());
        try {
            return new BitNetConfig(arch,
                    requireInt(md, p + "block_count"),
                    dim,
                    requireInt(md, p + "feed_forward_length"),
                    heads,
                    md.getInt(p + "attention.head_count_kv", heads),
                    headDim,
                    md.getInt(p + "rope.dimension_count", headDim),
                    vocab,
                    md.getInt(p + "context_length", 4096),
                    md.getFloat(p + "rope.freq_base", 10000f),
                    md.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f));
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException("bad model metadata: " + e.getMessage());
        }
    }

    /** Query heads that share one KV head. */
    public int groupSize() { return heads / kvHeads; }

    public int kvDim() { return kvHeads * headDim; }

    private static int requireInt(GgufMetadata md, String key) throws GgufFormatException {
        if (!md.has(key)) throw new GgufFormatException("missing metadata key '" + key + "'");
        return md.getInt(key, -1);
    }

    private static String describe(int layers, int dim, int ffn, int heads, int kv, int vocab) {
        return "layers=" + layers + " dim=" + dim + " ffn=" + ffn + " heads=" + heads + " kv_heads=" + kv + " vocab=" + vocab;
    }
}
