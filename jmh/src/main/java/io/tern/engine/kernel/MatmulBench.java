package io.tern.engine.kernel;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The one benchmark every matmul class runs; subclasses hold their parameters and build the case from them. */
@State(Scope.Benchmark)
public abstract class MatmulBench extends BenchDefaults {
    private MatmulCase bench;

    /** The case for the current parameters. */
    abstract MatmulCase open();

    @Setup
    public void setup() {
        bench = open();
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
