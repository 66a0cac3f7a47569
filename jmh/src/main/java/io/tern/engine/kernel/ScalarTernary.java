package io.tern.engine.kernel;

import org.openjdk.jmh.annotations.Param;

/**
 * The scalar oracle, on the small shapes only (it runs at a few hundred MB/s; the large shapes and many tokens
 * would take minutes per iteration). It has no kernel parameter, so a {@code -p kernel=} for the others leaves it be.
 */
public class ScalarTernary extends MatmulBench {
    /** ROWSxCOLS: k/v, q/o. */
    @Param({"640x2560", "2560x2560"})
    String shape;
    @Param({"1", "4", "16"})
    int tokens;
    @Param({"1", "2"})
    int threads;
    @Param({"cold"})
    String weights;

    @Override
    MatmulCase open() {
        return new TernaryCase(new ScalarKernel(), shape, tokens, threads, weights);
    }
}
