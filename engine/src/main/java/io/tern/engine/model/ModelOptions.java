package io.tern.engine.model;

import io.tern.engine.forward.KvType;
import io.tern.engine.kernel.SoftwarePrefetch;

/**
 * How to load and run a model.
 *
 * @param path     float reference or BitNet int8
 * @param kernel   ternary kernel provider: auto | native | vector | scalar (int8 path only)
 * @param threads  compute threads (0 = one per core)
 * @param ffnActivation squared ReLU (BitNet b1.58) or SiLU (stock llama.cpp bitnet graph)
 * @param int8Head on the int8 path, quantise the lm_head to int8 per row at load (false: keep the file's floats)
 * @param kvType   element type of the KV cache; null for the path's default: F16 on the int8 path (half the memory and
 *                 attention reads of F32, well inside the int8 path's tolerance), F32 on the float reference path (its
 *                 1e-4 conformance)
 * @param releaseFilePages after load, drop from the resident set the pages of the mapped file whose tensors were
 *                 copied off-heap (repacked ternary weights, the int8 head); the file stays mapped
 * @param prefetch how the native kernels prefetch weights (null is AUTO: by CPU vendor)
 * @param headRescore with the int8 head, how many of each row's highest int8 logits are computed again from the
 *                 file's float rows ({@link RescoredHead}); 0 keeps the int8 logits alone
 * @param headBits bits per weight of the quantised lm_head: 8 (int8 per row), or 4 (4-bit per row, half the bytes; with
 *                 the native kernels and a multiple of 128 columns, else 8)
 */
public record ModelOptions(NumericPath path, String kernel, int threads, FfnActivation ffnActivation,
                           boolean int8Head, KvType kvType, boolean releaseFilePages, SoftwarePrefetch prefetch, int headRescore, int headBits) {

    /**
     * Candidates the int8 head hands to the float rows by default: on the synthetic 2B4T shape (int8 logits within
     * 0.17 of the float head's) the float head's top-1 was among the int8 head's top 4 for all of 256 random hidden
     * states; 16 also gives exact logits to the head of a top-k sampling distribution, for 82 KB of rows per token.
     */
    public static final int DEFAULT_HEAD_RESCORE = 16;

    public ModelOptions {
        if (path == null) throw new IllegalArgumentException("path must not be null");
        if (prefetch == null) prefetch = SoftwarePrefetch.AUTO;
        if (headRescore < 0) throw new IllegalArgumentException("headRescore must be >= 0, got " + headRescore);
        if (headBits != 8 && headBits != 4) throw new IllegalArgumentException("headBits must be 8 or 4, got " + headBits);
    }

    /** The KV cache element type: as given, else the path's default. */
    @Override
    public KvType kvType() {
        return kvType != null ? kvType : path == NumericPath.INT8 ? KvType.F16 : KvType.F32;
    }

    /** File pages released after load, software prefetch by CPU, the default head rescoring. */
    public ModelOptions(NumericPath path, String kernel, int threads, FfnActivation ffnActivation, boolean int8Head, KvType kvType) {
        this(path, kernel, threads, ffnActivation, int8Head, kvType, true, SoftwarePrefetch.AUTO, DEFAULT_HEAD_RESCORE, 8);
    }

    /** int8 head on, the path's default KV cache type, file pages released after load. */
    public ModelOptions(NumericPath path, String kernel, int threads, FfnActivation ffnActivation) {
        this(path, kernel, threads, ffnActivation, true, null);
    }

    public static ModelOptions defaults() {
        return new ModelOptions(NumericPath.INT8, "auto", 0, FfnActivation.RELU2);
    }

    public ModelOptions withPath(NumericPath p) { return new ModelOptions(p, kernel, threads, ffnActivation, int8Head, kvType, releaseFilePages, prefetch, headRescore, headBits); }

    public ModelOptions withKernel(String k) { return new ModelOptions(path, k, threads, ffnActivation, int8Head, kvType, releaseFilePages, prefetch, headRescore, headBits); }

    public ModelOptions withThreads(int t) { return new ModelOptions(path, kernel, t, ffnActivation, int8Head, kvType, releaseFilePages, prefetch, headRescore, headBits); }

    public ModelOptions withFfnActivation(FfnActivation a) { return new ModelOptions(path, kernel, threads, a, int8Head, kvType, releaseFilePages, prefetch, headRescore, headBits); }

    public ModelOptions withInt8Head(boolean on) { return new ModelOptions(path, kernel, threads, ffnActivation, on, kvType, releaseFilePages, prefetch, headRescore, headBits); }

    /** t null: the path's default. */
    public ModelOptions withKvType(KvType t) { return new ModelOptions(path, kernel, threads, ffnActivation, int8Head, t, releaseFilePages, prefetch, headRescore, headBits); }

    public ModelOptions withReleaseFilePages(boolean on) { return new ModelOptions(path, kernel, threads, ffnActivation, int8Head, kvType, on, prefetch, headRescore, headBits); }

    public ModelOptions withPrefetch(SoftwarePrefetch p) { return new ModelOptions(path, kernel, threads, ffnActivation, int8Head, kvType, releaseFilePages, p, headRescore, headBits); }

    /** k candidates per row rescored from the float head (0: int8 logits alone). */
    public ModelOptions withHeadRescore(int k) { return new ModelOptions(path, kernel, threads, ffnActivation, int8Head, kvType, releaseFilePages, prefetch, k, headBits); }

    /** 8 or 4 bits per weight of the quantised lm_head. */
    public ModelOptions withHeadBits(int bits) { return new ModelOptions(path, kernel, threads, ffnActivation, int8Head, kvType, releaseFilePages, prefetch, headRescore, bits); }

    /** Whether the lm_head is quantised (int8, or 4-bit with headBits 4): asked for, and on the int8 path. */
    public boolean usesInt8Head() { return int8Head && path == NumericPath.INT8; }

    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
