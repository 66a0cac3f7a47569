package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A float matrix quantised to int8 per row (absmax: w ≈ q · scale, q ∈ [−127, 127]), off-heap: rows of
 * {@link #rowBytes()} bytes (cols padded with zeros to a multiple of 64, rows 64-byte aligned) and one float scale
 * per row, also off-heap. Every kernel provider reads the same layout. Used for the lm_head (vocab, dim).
 */
public final class Int8Matrix {
    static final int ALIGN = 64;

    /** Fills dst[0..cols) with row r of the float matrix. */
    @FunctionalInterface
    public interface FloatRows {
        void row(int r, float[] dst);
    }

    private final int rows;
    private final int cols;
    private final long rowBytes;
    private final MemorySegment data;    // (rows, rowBytes) int8
    private final MemorySegment scales;  // (rows,) float

    private Int8Matrix(int rows, int cols, long rowBytes, MemorySegment data, MemorySegment scales) {
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = rowBytes;
        this.data = data;
        this.scales = scales;
    }

    /** Rows one pool task of {@link #quantize} reads, in order: [k · ROWS_PER_TASK, (k + 1) · ROWS_PER_TASK). */
    public static final int ROWS_PER_TASK = 256;

    /**
     * Quantises rows × cols floats into {@code arena} (shared if the pool has several threads), rows in parallel on
     * {@code pool}. Per row: scale = max|w| / 127 (1 for an all-zero row), q = round-half-away(w / scale).
     */
    public static Int8Matrix quantize(int rows, int cols, FloatRows source, Arena arena, MatmulPool pool) {
        if (rows <= 0) throw new IllegalArgumentException("rows must be positive, got " + rows);
        BlockLayout.checkCols(cols);
        long rowBytes = (long) Math.ceilDiv(cols, ALIGN) * ALIGN;
        MemorySegment data = arena.allocate(rowBytes * rows, ALIGN);
        MemorySegment scales = arena.allocate((long) rows * Float.BYTES, ALIGN);
        ThreadLocal<byte[]> qBuf = ThreadLocal.withInitial(() -> new byte[cols]);
        eachRow(rows, cols, source, pool, (r, w, max) -> {
            byte[] q = qBuf.get();
            float inv = max == 0f ? 1f : 127f / max;
            for (int c = 0; c < cols; c++) q[c] = (byte) Math.max(-127, Math.min(127, Int8Activations.roundHalfAway(w[c] * inv)));
            MemorySegment.copy(q, 0, data, ValueLayout.JAVA_BYTE, r * rowBytes, cols);
            scales.setAtIndex(ValueLayout.JAVA_FLOAT, r, max == 0f ? 1f : max / 127f);
        });
        return new Int8Matrix(rows, cols, rowBytes, data, scales);
    }

    /** A float row handed to a quantiser: its index, its cols values (a per-thread buffer) and their max |w|. */
    @FunctionalInterface
    interface RowSink {
        void put(int r, float[] w, float max);
    }

    /**
     * Reads every row of source on the pool ({@link #ROWS_PER_TASK} rows per task, in order) and hands each, with its
     * max |w|, to sink: the part every per-row quantiser shares.
     */
    static void eachRow(int rows, int cols, FloatRows source, MatmulPool pool, RowSink sink) {
        int per = ROWS_PER_TASK;
        ThreadLocal<float[]> rowBuf = ThreadLocal.withInitial(() -> new float[cols]);
        pool.parallelFor(Math.ceilDiv(rows, per), task -> {
            float[] w = rowBuf.get();
            for (int r = task * per, end = Math.min(rows, r + per); r < end; r++) {
                source.row(r, w);
                float max = 0f;
                for (int c = 0; c < cols; c++) max = Math.max(max, Math.abs(w[c]));
                sink.put(r, w, max);
            }
        });
    }

    public int rows() { return rows; }

    public int cols() { return cols; }

    /** Bytes of int8 weights (without the scales): what one pass over all rows streams from memory. */
    public long packedBytes() { return data.byteSize(); }

    public float scale(int r) { return scales.getAtIndex(ValueLayout.JAVA_FLOAT, r); }

    public byte q(int r, int c) { return data.get(ValueLayout.JAVA_BYTE, r * rowBytes + c); }

    long rowBytes() { return rowBytes; }

    MemorySegment data() { return data; }

    MemorySegment scaleSegment() { return scales; }

    /** Argument checks shared by the int8 kernels. */
    void check(Int8Activations x, int r0, int r1, int outLength) {
        CallShape.check("int8 matrix", rows, cols, x, r0, r1, outLength);
    }
}
