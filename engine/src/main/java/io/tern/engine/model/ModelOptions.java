package io.tern.engine.model;

/**
 * How to load and run a model.
 *
 * @param path     float reference or BitNet int8
 * @param kernel   ternary kernel provider: auto | native | vector | scalar (int8 path only)
 * @param threads  compute threads (0 = one per core)
 * @param ffnActivation squared ReLU (BitNet b1.58) or SiLU (stock llama.cpp bitnet graph)
 */
public record ModelOptions(NumericPath path, String kernel, int threads, FfnActivation ffnActivation) {

    public static ModelOptions defaults() {
        return new ModelOptions(NumericPath.INT8, "auto", 0, FfnActivation.RELU2);
    }

    public ModelOptions withPath(NumericPath p) { return new ModelOptions(p, kernel, threads, ffnActivation); }

    public ModelOptions withKernel(String k) { return new ModelOptions(path, k, threads, ffnActivation); }

    public ModelOptions withThreads(int t) { return new ModelOptions(path, kernel, t, ffnActivation); }

    public ModelOptions withFfnActivation(FfnActivation a) { return new ModelOptions(path, kernel, threads, a); }

    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
