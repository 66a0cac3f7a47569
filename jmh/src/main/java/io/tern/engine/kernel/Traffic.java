package io.tern.engine.kernel;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary metrics of a matmul benchmark. JMH resets the fields each iteration and divides them by the iteration's
 * time, so with the benchmarks' throughput mode in seconds they print as GB/s of weights streamed and GMAC/s (JMH
 * labels the unit "ops/s" whatever a counter counts).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Traffic {
    /** Gigabytes of packed weights read. */
    public double GBps;
    /** Billions of multiply-accumulates (rows × cols × tokens per matmul). */
    public double GMACps;

    void count(long weightBytes, long macs) {
        GBps += weightBytes * 1e-9;
        GMACps += macs * 1e-9;
    }
}
