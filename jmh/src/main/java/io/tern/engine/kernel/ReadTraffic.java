package io.tern.engine.kernel;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Secondary metric of the streaming-read baseline: GB/s read (see {@link Traffic}). */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ReadTraffic {
    /** Gigabytes read. */
    public double GBps;

    void count(long bytes) {
        GBps += bytes * 1e-9;
    }
}
