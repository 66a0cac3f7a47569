package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Streaming-read bandwidth of this machine: sums a large off-heap buffer with the Vector API on n threads. */
public final class StreamBandwidth {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;

    private StreamBandwidth() {}

    /** Best GB/s over {@code runs} passes over a {@code bytes} buffer split across {@code threads}. */
    public static double measure(long bytes, int threads, int runs) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(bytes, 4096);
            buf.fill((byte) 1);
            double best = 0;
            long[] sink = new long[threads];
            for (int run = 0; run < runs + 2; run++) {  // the first passes warm up C2
                long slice = bytes / threads / 4096 * 4096;
                Thread[] ts = new Thread[threads];
                long t0 = System.nanoTime();
                for (int i = 0; i < threads; i++) {
                    int id = i;
                    ts[i] = Thread.ofPlatform().start(() -> sink[id] = sum(buf, id * slice, slice));
                }
                for (Thread t : ts) t.join();
                double gbs = slice * threads / ((System.nanoTime() - t0) * 1e-9) / 1e9;
                if (run >= 2) best = Math.max(best, gbs);
            }
            if (sink[0] == 42) System.out.print("");
            return best;
        }
    }

    private static long sum(MemorySegment seg, long from, long len) {
        long step = L.vectorByteSize();
        LongVector a = LongVector.zero(L), b = a, c = a, d = a;
        long end = from + len - 4 * step;
        long o = from;
        for (; o <= end; o += 4 * step) {
            a = a.add(LongVector.fromMemorySegment(L, seg, o, ByteOrder.LITTLE_ENDIAN));
            b = b.add(LongVector.fromMemorySegment(L, seg, o + step, ByteOrder.LITTLE_ENDIAN));
            c = c.add(LongVector.fromMemorySegment(L, seg, o + 2 * step, ByteOrder.LITTLE_ENDIAN));
            d = d.add(LongVector.fromMemorySegment(L, seg, o + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
    }
}
