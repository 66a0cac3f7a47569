package io.tern.engine.kernel;

import org.openjdk.jmh.annotations.Param;

/** Batched decode and prefill: several tokens through each ternary projection shape of BitNet b1.58 2B4T. */
public class TernaryGemm extends MatmulBench {
    /** native | vector (BenchMain drops the ones this machine cannot run). */
    @Param({"native", "vector"})
    String kernel;
    /** ROWSxCOLS: q/o, k/v, gate/up, down. */
    @Param({"2560x2560", "640x2560", "6912x2560", "2560x6912"})
    String shape;
    @Param({"2", "4", "8", "16", "64", "512"})
    int tokens;
    /** Compute pool threads, the caller included. */
    @Param({"1", "2"})
    int threads;
    /** cold (≥ 1 GiB of copies, streamed from memory) | hot (one copy). */
    @Param({"cold"})
    String weights;

    @Override
    MatmulCase open() {
        return new TernaryCase(KernelChain.select(kernel), shape, tokens, threads, weights);
    }
}
