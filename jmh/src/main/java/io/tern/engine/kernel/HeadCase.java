package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * One quantised lm_head case: a (vocab, dim) float matrix quantised to int8 or 4-bit rows (as many copies as the
 * footprint asks for), one token of int8 activations, the logits and a compute pool. Each call multiplies the next
 * copy. 4-bit rows need the native kernel.
 */
final class HeadCase implements MatmulCase {
    private final Arena arena = new io.tern.engine.memory.WeightArena();
    private final MatmulPool pool;
    private final Int8Matrix[] copies;   // bits 8
    private final Int4Matrix[] copies4;  // bits 4
    private final Int8Activations x;  // (1, dim)
    private final float[] logits;     // (vocab,)
    private final long macs;
    private int next;

    HeadCase(TernaryKernel kernel, int bits, int vocab, int dim, int threads, String weights) {
        SplittableRandom rnd = new SplittableRandom(2);
        float[] pattern = new float[7 * dim];  // (7, dim): row r repeats pattern row r % 7
        for (int i = 0; i < pattern.length; i++) pattern[i] = (float) rnd.nextGaussian();
        Int8Matrix.FloatRows source = (r, dst) -> System.arraycopy(pattern, (r % 7) * dim, dst, 0, dim);
        MatmulPool p = new MatmulPool(kernel, threads);
        try {
            if (bits != 8 && bits != 4) throw new IllegalArgumentException("bits must be 8 or 4, got " + bits);
            if (bits == 4 && !(kernel instanceof NativeKernel)) throw new IllegalArgumentException("4-bit rows need the native kernel, not " + kernel.name());
            long bytes = bits == 8 ? (long) vocab * Math.ceilDiv(dim, Int8Matrix.ALIGN) * Int8Matrix.ALIGN : (long) vocab * dim / 2;
            int n = Footprint.copies(weights, bytes);
            copies = bits == 8 ? new Int8Matrix[n] : null;
            copies4 = bits == 4 ? new Int4Matrix[n] : null;
            for (int i = 0; i < n; i++) {
                if (bits == 8) copies[i] = Int8Matrix.quantize(vocab, dim, source, arena, p);
                else copies4[i] = Int4Matrix.quantize(vocab, dim, source, arena, p);
            }
            x = new Int8Activations(1, dim);
            float[] xf = new float[dim];
            for (int i = 0; i < dim; i++) xf[i] = (float) rnd.nextGaussian();
            x.quantize(xf, 0, 1);
            logits = new float[vocab];
            macs = (long) vocab * dim;
        } catch (RuntimeException e) {
            p.close();
            arena.close();
            throw e;
        }
        pool = p;
    }

    /** One lm_head GEMV of the next copy, counted in t. */
    @Override
    public float[] matmul(Traffic t) {
        int n = copies != null ? copies.length : copies4.length, at = next;
        next = next + 1 == n ? 0 : next + 1;
        if (copies != null) {
            pool.matmul(copies[at], x, logits);
            t.count(copies[at].packedBytes(), macs);
        } else {
            pool.matmul(copies4[at], x, logits);
            t.count(copies4[at].packedBytes(), macs);
        }
        return logits;
    }

    @Override
    public void close() {
        pool.close();
        arena.close();
    }
}
