package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.function.IntConsumer;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The baseline: a Vector API sum over a 1 GiB off-heap buffer, split in chunks over the same compute pool the
 * matmuls use. Its GB/s is what a memory-bound GEMV can at best reach; BenchMain prints the others as a share of it.
 */
@State(Scope.Benchmark)
public class StreamRead extends BenchDefaults {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final long BYTES = 1L << 30;
    private static final int CHUNKS_PER_THREAD = 8;

    @Param({"1", "2"})
    int threads;

    private Arena arena;
    private MemorySegment buffer;  // (BYTES,)
    private MatmulPool pool;
    private long[] sums;           // (chunks,)
    private long chunkBytes;
    private IntConsumer sumChunk;

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        buffer = io.tern.engine.memory.HugePages.allocate(BYTES, arena);  // the pages the weights get
        buffer.fill((byte) 1);
        pool = new MatmulPool(null, threads);
        sums = new long[threads * CHUNKS_PER_THREAD];
        chunkBytes = BYTES / sums.length;
        sumChunk = c -> sums[c] = sum(buffer, c * chunkBytes, chunkBytes);
    }

    @TearDown
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public long sum(ReadTraffic t) {
        pool.parallelFor(sums.length, sumChunk);
        t.count(chunkBytes * sums.length);
        long total = 0;
        for (long s : sums) total += s;
        return total;
    }

    /** Sum of the longs in [from, from + len); len a multiple of four vectors. */
    private static long sum(MemorySegment seg, long from, long len) {
        long step = L.vectorByteSize();
        LongVector a = LongVector.zero(L), b = a, c = a, d = a;
        for (long o = from, end = from + len; o < end; o += 4 * step) {
            a = a.add(LongVector.fromMemorySegment(L, seg, o, ByteOrder.LITTLE_ENDIAN));
            b = b.add(LongVector.fromMemorySegment(L, seg, o + step, ByteOrder.LITTLE_ENDIAN));
            c = c.add(LongVector.fromMemorySegment(L, seg, o + 2 * step, ByteOrder.LITTLE_ENDIAN));
            d = d.add(LongVector.fromMemorySegment(L, seg, o + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
    }
}
