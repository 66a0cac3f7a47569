package io.tern.engine.kernel;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The scalar oracle, on the small shapes only (it runs at a few hundred MB/s; the large shapes and many tokens
 * would take minutes per iteration). It has no kernel parameter, so a {@code -p kernel=} for the others leaves it be.
 */
@State(Scope.Benchmark)
public class ScalarTernary extends BenchDefaults {
    /** ROWSxCOLS: k/v, q/o. */
    @Param({"640x2560", "2560x2560"})
    String shape;
    @Param({"1", "4", "16"})
    int tokens;
    @Param({"1", "2"})
    int threads;
    @Param({"cold"})
    String weights;

    private TernaryCase bench;

    @Setup
    public void setup() {
        bench = new TernaryCase(new ScalarKernel(), shape, tokens, threads, weights);
    }

    @TearDown
    public void tearDown() {
        bench.close();
    }

    @Benchmark
    public float[] matmul(Traffic t) {
        return bench.matmul(t);
    }
}
