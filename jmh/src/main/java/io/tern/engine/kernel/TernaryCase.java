package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * One ternary matmul case: random ternary weights packed by the kernel (and copied to the footprint asked for),
 * a batch of int8 activations, the output and a compute pool. Each call multiplies the next copy.
 */
final class TernaryCase implements MatmulCase {
    private final Arena arena = new io.tern.engine.memory.WeightArena();  // shared, huge pages: as a loaded model
    private final MatmulPool pool;
    private final TernaryMatrix[] copies;
    private final Int8Activations x;  // (tokens, cols)
    private final float[] out;        // (tokens, rows)
    private final long macs;
    private int next;

    /**
     * @param shape   "ROWSxCOLS"
     * @param weights "cold" (copies totalling ≥ 1 GiB) or "hot" (one copy)
     */
    TernaryCase(TernaryKernel kernel, String shape, int tokens, int threads, String weights) {
        int[] rc = Footprint.shape(shape);
        int rows = rc[0], cols = rc[1];
        SplittableRandom rnd = new SplittableRandom(1);
        byte[] pattern = new byte[7 * cols];  // (7, cols): row r repeats pattern row r % 7
        for (int i = 0; i < pattern.length; i++) pattern[i] = (byte) (rnd.nextInt(3) - 1);
        TernaryRows source = (r, dst) -> {
            System.arraycopy(pattern, (r % 7) * cols, dst, 0, cols);
            return 0.01f;
        };
        try {
            TernaryMatrix first = kernel.pack(rows, cols, source, arena);
            copies = new TernaryMatrix[Footprint.copies(weights, first.packedBytes())];
            copies[0] = first;
            for (int i = 1; i < copies.length; i++) copies[i] = copy(first);
            x = new Int8Activations(tokens, cols);
            float[] xf = new float[tokens * cols];  // (tokens, cols)
            for (int i = 0; i < xf.length; i++) xf[i] = (float) rnd.nextGaussian();
            x.quantize(xf, 0, tokens);
            out = new float[tokens * rows];
            macs = (long) rows * cols * tokens;
            pool = new MatmulPool(kernel, threads);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** One matmul of the next copy with all tokens, counted in t. */
    @Override
    public float[] matmul(Traffic t) {
        TernaryMatrix w = copies[next];
        next = next + 1 == copies.length ? 0 : next + 1;
        pool.matmul(w, x, out);
        t.count(w.packedBytes(), macs);
        return out;
    }

    private TernaryMatrix copy(TernaryMatrix m) {
        return switch (m) {
            case BlockLayout.Packed p -> p.copy(arena);
            case ScalarKernel.ByteMatrix b -> b.copy(arena);
            default -> throw new IllegalArgumentException("cannot copy a " + m.getClass().getSimpleName());
        };
    }

    @Override
    public void close() {
        pool.close();
        arena.close();
    }
}
