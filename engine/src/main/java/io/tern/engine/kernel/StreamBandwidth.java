package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.function.IntConsumer;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Streaming-read bandwidth of this machine: sums a large off-heap buffer on n threads, with the Vector API and, when
 * the native library loads, with plain AVX2 loads in C; the best of the two is the figure (the roofline's denominator
 * should be the fastest read this machine does, not the one that flatters the engine).
 */
public final class StreamBandwidth {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final Optional<MethodHandle> NATIVE_SUM = nativeSum();
    /** Calls of {@link #sum} on WARM_BYTES each before a Vector API read is timed (see warmUp). */
    private static final int WARM_CALLS = 20_000;
    private static final long WARM_BYTES = 4096;

    private StreamBandwidth() {}

    /** Best GB/s over {@code runs} passes over a {@code bytes} buffer split across {@code threads}, by either reader. */
    public static double measure(long bytes, int threads, int runs) throws InterruptedException {
        try (Reader r = new Reader(bytes, threads)) {
            double best = best(r.buf, threads, runs, false);
            if (NATIVE_SUM.isPresent()) best = Math.max(best, best(r.buf, threads, runs, true));
            return best;
        }
    }

    /**
     * A read buffer for single passes taken between the rounds of another measurement, so both see the machine in the
     * same seconds (its bandwidth moves by ±20% from one second to the next here).
     */
    public static final class Reader implements AutoCloseable {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment buf;
        private final int threads;
        private final MatmulPool pool;
        private final long slice;
        private final long[] sink;
        private final IntConsumer readSlice = this::readSlice;

        /** Passes on {@code threads} threads started for each pass. */
        public Reader(long bytes, int threads) {
            this(bytes, threads, null);
        }

        /**
         * Passes on the pool's own threads, one slice each: the threads a decode step or a GEMV runs on, already
         * awake, with no thread started inside the timed pass (and no pool worker spinning beside the readers).
         */
        public Reader(long bytes, MatmulPool pool) {
            this(bytes, pool.threads(), pool);
        }

        private Reader(long bytes, int threads, MatmulPool pool) {
            this.buf = io.tern.engine.memory.HugePages.allocate(bytes, arena);  // the pages the weights get
            this.threads = threads;
            this.pool = pool;
            this.slice = bytes / threads / 4096 * 4096;
            this.sink = new long[threads];
            buf.fill((byte) 1);
        }

        /** GB/s of one pass, by the native reader when it loads (else the Vector API). */
        public double pass() throws InterruptedException {
            if (pool == null) return StreamBandwidth.pass(buf, threads, NATIVE_SUM.isPresent());
            long t0 = System.nanoTime();
            pool.parallelFor(threads, readSlice);
            return rate(slice * threads, t0, sink);
        }

        private void readSlice(int i) {
            sink[i] = NATIVE_SUM.isPresent() ? nativeSum(buf.asSlice(i * slice, slice)) : sum(buf, i * slice, slice);
        }

        @Override
        public void close() { arena.close(); }
    }

    /** Whether the native reader is in use (else the Vector API alone). */
    public static boolean hasNativeReader() { return NATIVE_SUM.isPresent(); }

    private static double best(MemorySegment buf, int threads, int runs, boolean nativeRead) throws InterruptedException {
        if (!nativeRead) warmUp(buf);
        double best = 0;
        for (int run = 0; run < runs + 2; run++) {  // the first passes warm up C2
            double gbs = pass(buf, threads, nativeRead);
            if (run >= 2) best = Math.max(best, gbs);
        }
        return best;
    }

    /**
     * Compiles {@link #sum} before a timed pass: called often on a few KB, C2 compiles it whole, with every vector in a
     * register. Left to warm up on 1 GiB passes, it ran twice through the interpreter's vector objects first: 2.5 GB of
     * garbage (JFR, a bench run), which grew the heap the resident set then counted.
     */
    private static void warmUp(MemorySegment buf) {
        long sink = 0;
        for (int i = 0; i < WARM_CALLS; i++) sink += sum(buf, 0, WARM_BYTES);
        if (sink == 42) System.out.print("");
    }

    /** GB/s of one pass over buf split across threads, by the native reader or the Vector API. */
    private static double pass(MemorySegment buf, int threads, boolean nativeRead) throws InterruptedException {
        long slice = buf.byteSize() / threads / 4096 * 4096;
        long[] sink = new long[threads];
        Thread[] ts = new Thread[threads];
        long t0 = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            int id = i;
            ts[i] = Thread.ofPlatform().start(() -> sink[id] = nativeRead ? nativeSum(buf.asSlice(id * slice, slice)) : sum(buf, id * slice, slice));
        }
        for (Thread t : ts) t.join();
        return rate(slice * threads, t0, sink);
    }

    /** GB/s of bytes read since t0; reads the sums so the JIT keeps the loads that made them. */
    private static double rate(long bytes, long t0, long[] sink) {
        double gbs = bytes / ((System.nanoTime() - t0) * 1e-9) / 1e9;
        if (sink[0] == 42) System.out.print("");
        return gbs;
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

    private static long nativeSum(MemorySegment slice) {
        try {
            return (long) NATIVE_SUM.orElseThrow().invokeExact(NativeKernel.bare(slice), slice.byteSize());
        } catch (Throwable e) {
            throw new IllegalStateException("native stream read failed: " + e, e);
        }
    }

    private static Optional<MethodHandle> nativeSum() {
        try {
            java.lang.foreign.SymbolLookup lib = NativeLibrary.open();
            if ((NativeKernel.cpuFeatures(lib) & 1) == 0) return Optional.empty();
            MemorySegment symbol = NativeKernel.symbol(lib, "tern_stream_sum");
            return Optional.of(Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG)));
        } catch (RuntimeException | Error e) {
            return Optional.empty();
        }
    }
}
