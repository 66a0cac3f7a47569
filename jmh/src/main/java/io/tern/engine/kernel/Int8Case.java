package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * One int8 lm_head case: a (vocab, dim) float matrix quantised to int8 rows (as many copies as the footprint asks
 * for), one token of int8 activations, the logits and a compute pool. Each call multiplies the next copy.
 */
final class Int8Case implements MatmulCase {
    private final Arena arena = new io.tern.engine.memory.WeightArena();
    private final MatmulPool pool;
    private final Int8Matrix[] copies;
    private final Int8Activations x;  // (1, dim)
    private final float[] logits;     // (vocab,)
    private final long macs;
    private int next;

    Int8Case(TernaryKernel kernel, int vocab, int dim, int threads, String weights) {
        SplittableRandom rnd = new SplittableRandom(2);
        float[] pattern = new float[7 * dim];  // (7, dim): row r repeats pattern row r % 7
        for (int i = 0; i < pattern.length; i++) pattern[i] = (float) rnd.nextGaussian();
        Int8Matrix.FloatRows source = (r, dst) -> System.arraycopy(pattern, (r % 7) * dim, dst, 0, dim);
        MatmulPool p = new MatmulPool(kernel, threads);
        try {
            long bytes = (long) vocab * Math.ceilDiv(dim, Int8Matrix.ALIGN) * Int8Matrix.ALIGN;
            copies = new Int8Matrix[Footprint.copies(weights, bytes)];
            for (int i = 0; i < copies.length; i++) copies[i] = Int8Matrix.quantize(vocab, dim, source, arena, p);
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
        Int8Matrix w = copies[next];
        next = next + 1 == copies.length ? 0 : next + 1;
        pool.matmul(w, x, logits);
        t.count(w.packedBytes(), macs);
        return logits;
    }

    @Override
    public void close() {
        pool.close();
        arena.close();
    }
}
