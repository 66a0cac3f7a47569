package io.tern.engine.model;

import io.tern.engine.forward.KvType;

/**
 * How to load and run a model.
 *
 * @param path     float reference or BitNet int8
 * @param kernel   ternary kernel provider: auto | native | vector | scalar (int8 path only)
 * @param threads  compute threads (0 = one per core)
 * @param ffnActivation squared ReLU (BitNet b1.58) or SiLU (stock llama.cpp bitnet graph)
 * @param int8Head on the int8 path, quantise the lm_head to int8 per row at load (false: keep the file's floats)
 * @param kvType   element type of the KV cache
 * @param releaseFilePages after load, drop from the resident set the pages of the mapped file whose tensors were
 *                 copied off-heap (repacked ternary weights, the int8 head); the file stays mapped
 */
public record ModelOptions(NumericPath path, String kernel, int threads, FfnActivation ffnActivation,
                           boolean int8Head, KvType kvType, boolean releaseFilePages) {

    public ModelOptions {
        if (kvType == null) throw new IllegalArgumentException("kvType must not be null");
    }

    /** File pages released after load. */
    public ModelOptions(NumericPath path, String kernel, int threads, FfnActivation ffnActivation, boolean int8Head, KvType kvType) {
        this(path, kernel, threads, ffnActivation, int8Head, kvType, true);
    }

    /** int8 head on, F32 KV cache, file pages released after load. */
    public ModelOptions(NumericPath path, String kernel, int threads, FfnActivation ffnActivation) {
        this(path, kernel, threads, ffnActivation, true, KvType.F32);
    }

    public static ModelOptions defaults() {
        return new ModelOptions(NumericPath.INT8, "auto", 0, FfnActivation.RELU2);
    }

    public ModelOptions withPath(NumericPath p) { return new ModelOptions(p, kernel, threads, ffnActivation, int8Head, kvType, releaseFilePages); }

    public ModelOptions withKernel(String k) { return new ModelOptions(path, k, threads, ffnActivation, int8Head, kvType, releaseFilePages); }

    public ModelOptions withThreads(int t) { return new ModelOptions(path, kernel, t, ffnActivation, int8Head, kvType, releaseFilePages); }

    public ModelOptions withFfnActivation(FfnActivation a) { return new ModelOptions(path, kernel, threads, a, int8Head, kvType, releaseFilePages); }

    public ModelOptions withInt8Head(boolean on) { return new ModelOptions(path, kernel, threads, ffnActivation, on, kvType, releaseFilePages); }

    public ModelOptions withKvType(KvType t) { return new ModelOptions(path, kernel, threads, ffnActivation, int8Head, t, releaseFilePages); }

    public ModelOptions withReleaseFilePages(boolean on) { return new ModelOptions(path, kernel, threads, ffnActivation, int8Head, kvType, on); }

    /** Whether the lm_head is quantised to int8: asked for, and on the int8 path. */
    public boolean usesInt8Head() { return int8Head && path == NumericPath.INT8; }

    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
