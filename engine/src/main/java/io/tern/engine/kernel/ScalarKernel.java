package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The oracle: one byte per weight, row-major, plain loops. Slow and obviously correct. */
public final class ScalarKernel implements TernaryKernel {

    /** rows × cols bytes of -1/0/+1. */
    record ByteMatrix(int rows, int cols, MemorySegment data, float[] scales) implements TernaryMatrix {
        @Override public float scale(int row) { return scales[row]; }

        @Override public long packedBytes() { return data.byteSize(); }

        ByteMatrix copy(Arena arena) {
            return new ByteMatrix(rows, cols, arena.allocate(data.byteSize(), 64).copyFrom(data), scales);
        }
    }

    @Override public String name() { return "scalar"; }

    @Override
    public TernaryMatrix pack(int rows, int cols, TernaryRows source, Arena arena) {
        if (rows <= 0) throw new IllegalArgumentException("rows must be positive, got " + rows);
        BlockLayout.checkCols(cols);
        MemorySegment data = arena.allocate((long) rows * cols, 64);
        float[] scales = new float[rows];
        byte[] w = new byte[cols];
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(w, (byte) 0);
            scales[r] = source.row(r, w);
            for (int c = 0; c < cols; c++) {
                if (w[c] < -1 || w[c] > 1) {
                    throw new IllegalArgumentException("weight at row " + r + " col " + c + " is " + w[c] + ", not -1, 0 or +1");
                }
            }
            MemorySegment.copy(w, 0, data, ValueLayout.JAVA_BYTE, (long) r * cols, cols);
        }
        return new ByteMatrix(rows, cols, data, scales);
    }

    @Override
    public void dot(TernaryMatrix w, Int8Activations x, int r0, int r1, int[] out) {
        ByteMatrix m = of(w);
        CallShape.check(w, x, r0, r1, out.length);
        for (int t = 0; t < x.tokens(); t++) {
            for (int r = r0; r < r1; r++) out[t * m.rows + r] = rowDot(m, r, x, t);
        }
    }

    @Override
    public void matmul(TernaryMatrix w, Int8Activations x, int r0, int r1, float[] out) {
        ByteMatrix m = of(w);
        CallShape.check(w, x, r0, r1, out.length);
        for (int t = 0; t < x.tokens(); t++) {
            for (int r = r0; r < r1; r++) out[t * m.rows + r] = m.scales[r] * rowDot(m, r, x, t) / x.scale(t);
        }
    }

    private static int rowDot(ByteMatrix m, int r, Int8Activations x, int t) {
        long base = (long) r * m.cols;
        int sum = 0;
        for (int c = 0; c < m.cols; c++) sum += m.data.get(ValueLayout.JAVA_BYTE, base + c) * x.q(t, c);
        return sum;
    }

    @Override
    public void dot(Int8Matrix w, Int8Activations x, int r0, int r1, int[] out) {
        w.check(x, r0, r1, out.length);
        for (int t = 0; t < x.tokens(); t++) {
            for (int r = r0; r < r1; r++) out[t * w.rows() + r] = int8RowDot(w, r, x, t);
        }
    }

    @Override
    public void matmul(Int8Matrix w, Int8Activations x, int r0, int r1, float[] out) {
        w.check(x, r0, r1, out.length);
        for (int t = 0; t < x.tokens(); t++) {
            for (int r = r0; r < r1; r++) out[t * w.rows() + r] = w.scale(r) * int8RowDot(w, r, x, t) / x.scale(t);
        }
    }

    private static int int8RowDot(Int8Matrix w, int r, Int8Activations x, int t) {
        int sum = 0;
        for (int c = 0; c < w.cols(); c++) sum += w.q(r, c) * x.q(t, c);
        return sum;
    }

    private static ByteMatrix of(TernaryMatrix w) {
        if (w instanceof ByteMatrix m) return m;
        throw new IllegalArgumentException("matrix was not packed by the scalar kernel: " + w.getClass().getSimpleName());
    }
}
