package io.tern.engine.kernel;

import org.openjdk.jmh.annotations.Param;

/**
 * Decode's logits: one token through the quantised lm_head, (vocab, dim) = (128256, 2560) for BitNet b1.58 2B4T; int8
 * rows, or 4-bit ones with {@code -p bits=4 -p kernel=native}.
 */
public class LmHead extends MatmulBench {
    /** native | vector (BenchMain drops the ones this machine cannot run). */
    @Param({"native", "vector"})
    String kernel;
    /** Rows; e.g. {@code -p vocab=32000} for a smaller vocabulary (and a faster set-up). */
    @Param({"128256"})
    int vocab;
    @Param({"2560"})
    int dim;
    @Param({"1", "2"})
    int threads;
    /** 8 (int8 rows) | 4 (4-bit rows: native kernel only). */
    @Param({"8"})
    int bits;
    /** cold (≥ 1 GiB of copies, streamed from memory) | hot (one copy). */
    @Param({"cold"})
    String weights;

    @Override
    MatmulCase open() {
        return new HeadCase(KernelChain.select(kernel), bits, vocab, dim, threads, weights);
    }
}
