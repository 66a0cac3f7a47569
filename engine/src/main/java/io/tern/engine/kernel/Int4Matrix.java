package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A float matrix quantised to 4 bits per weight with one scale per row (absmax: w ≈ q · scale, q ∈ [−7, 7]),
 * off-heap, for an lm_head read at half the bytes of {@link Int8Matrix}. Codes u = q + 8 go two to a byte: each 64-byte
 * block holds 128 columns, byte i column 128·b + i in its low nibble and 128·b + 64 + i in its high one, so a vector
 * load gives two runs of 64 consecutive columns after a mask and a shift (tern_dense.c). Columns must be a multiple
 * of 128. The native kernels run it ({@link NativeKernel#matmul(Int4Matrix, Int8Activations, int, int, float[])});
 * {@link #dotScalar} is their oracle.
 */
public final class Int4Matrix {
    /** Columns per 64-byte block. */
    public static final int BLOCK_COLS = 128;
    private static final int BLOCK_BYTES = 64;

    private final int rows;
    private final int cols;
    private final long rowBytes;
    private final MemorySegment data;    // (rows, cols / 2) codes
    private final MemorySegment scales;  // (rows,) float

    private Int4Matrix(int rows, int cols, MemorySegment data, MemorySegment scales) {
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = cols / 2;
        this.data = data;
        this.scales = scales;
    }

    /** Whether a matrix of this many columns has the layout (a multiple of {@link #BLOCK_COLS}). */
    public static boolean fits(int cols) { return cols > 0 && cols % BLOCK_COLS == 0; }

    /**
     * Quantises rows × cols floats into {@code arena} (shared if the pool has several threads), rows in parallel on
     * {@code pool}. Per row: scale = max|w| / 7 (1 for an all-zero row), q = round-half-away(w / scale).
     */
    public static Int4Matrix quantize(int rows, int cols, Int8Matrix.FloatRows source, Arena arena, MatmulPool pool) {
        if (rows <= 0) throw new IllegalArgumentException("rows must be positive, got " + rows);
        if (!fits(cols)) throw new IllegalArgumentException("a 4-bit matrix needs a multiple of " + BLOCK_COLS + " columns, got " + cols);
        long rowBytes = cols / 2;
        MemorySegment data = arena.allocate(rowBytes * rows, BLOCK_BYTES);
        MemorySegment scales = arena.allocate((long) rows * Float.BYTES, BLOCK_BYTES);
        ThreadLocal<byte[]> packed = ThreadLocal.withInitial(() -> new byte[cols / 2]);
        Int8Matrix.eachRow(rows, cols, source, pool, (r, w, max) -> {
            byte[] p = packed.get();
            float inv = max == 0f ? 1f : 7f / max;
            for (int b = 0; b < cols / BLOCK_COLS; b++) {
                for (int i = 0; i < BLOCK_BYTES; i++) {
                    int lo = code(w[b * BLOCK_COLS + i], inv), hi = code(w[b * BLOCK_COLS + BLOCK_BYTES + i], inv);
                    p[b * BLOCK_BYTES + i] = (byte) (lo | hi << 4);
                }
            }
            MemorySegment.copy(p, 0, data, ValueLayout.JAVA_BYTE, r * rowBytes, p.length);
            scales.setAtIndex(ValueLayout.JAVA_FLOAT, r, max == 0f ? 1f : max / 7f);
        });
        return new Int4Matrix(rows, cols, data, scales);
    }

    private static int code(float w, float inv) {
        return Math.max(-7, Math.min(7, Int8Activations.roundHalfAway(w * inv))) + 8;
    }

    public int rows() { return rows; }

    public int cols() { return cols; }

    /** Bytes of 4-bit codes (without the scales): what one pass over all rows streams from memory. */
    public long packedBytes() { return data.byteSize(); }

    public float scale(int r) { return scales.getAtIndex(ValueLayout.JAVA_FLOAT, r); }

    /** The quantised weight at (r, c), in [−7, 7]. */
    public int q(int r, int c) {
        int b = c / BLOCK_COLS, i = c % BLOCK_COLS;
        int v = data.get(ValueLayout.JAVA_BYTE, r * rowBytes + (long) b * BLOCK_BYTES + (i % BLOCK_BYTES)) & 0xff;
        return (i < BLOCK_BYTES ? v & 15 : v >>> 4) - 8;
    }

    /** Σ_c q(r, c) · x.q(t, c): the integer the native kernels compute for row r and token t. */
    public int dotScalar(int r, Int8Activations x, int t) {
        int sum = 0;
        for (int c = 0; c < cols; c++) sum += q(r, c) * x.q(t, c);
        return sum;
    }

    long rowBytes() { return rowBytes; }

    MemorySegment data() { return data; }

    MemorySegment scaleSegment() { return scales; }

    /** Argument checks shared by the 4-bit kernels. */
    void check(Int8Activations x, int r0, int r1, int outLength) {
        CallShape.check("4-bit matrix", rows, cols, x, r0, r1, outLength);
    }
}
