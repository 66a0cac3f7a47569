package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The 2-bit block layout shared by the native and vector kernels.
 *
 * <p>A row is a run of 64-byte blocks, each holding 256 columns; rows start on 64-byte boundaries. Byte i of block b
 * holds columns {@code b·256 + i + 64·k} in bits {@code 2k..2k+1} (k = 0..3), so shifting a loaded vector of bytes
 * right by 2k yields the codes of 32 or 64 consecutive columns, matching a plain load of activations. A code is
 * w + 1 ∈ {0, 1, 2}: unsigned, so a kernel multiplies it with q and subtracts Σq (maddubs / dpbusd friendly).
 * Columns past cols are weight 0.
 */
final class BlockLayout {
    static final int BLOCK_COLS = 256;
    static final int BLOCK_BYTES = 64;

    private BlockLayout() {}

    static void checkCols(int cols) {
        if (cols <= 0 || cols % 32 != 0) {
            throw new IllegalArgumentException("cols must be a positive multiple of 32, got " + cols);
        }
    }

    static int blocks(int cols) { return (cols + BLOCK_COLS - 1) / BLOCK_COLS; }

    static int paddedCols(int cols) { return blocks(cols) * BLOCK_COLS; }

    static Packed pack(int rows, int cols, TernaryRows source, Arena arena) {
        if (rows <= 0) throw new IllegalArgumentException("rows must be positive, got " + rows);
        checkCols(cols);
        int blocks = blocks(cols);
        long rowBytes = (long) blocks * BLOCK_BYTES;
        MemorySegment data = arena.allocate(rowBytes * rows, BLOCK_BYTES);
        MemorySegment scaleSegment = arena.allocate((long) rows * Float.BYTES, BLOCK_BYTES);
        float[] scales = new float[rows];
        byte[] w = new byte[blocks * BLOCK_COLS];
        byte[] packed = new byte[(int) rowBytes];
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(w, (byte) 0);
            scales[r] = source.row(r, w);
            for (int c = 0; c < cols; c++) {
                if (w[c] < -1 || w[c] > 1) {
                    throw new IllegalArgumentException("weight at row " + r + " col " + c + " is " + w[c] + ", not -1, 0 or +1");
                }
            }
            for (int b = 0; b < blocks; b++) {
                for (int i = 0; i < BLOCK_BYTES; i++) {
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int c = b * BLOCK_COLS + i + 64 * k;
                        v |= (c < cols ? w[c] + 1 : 1) << (2 * k);
                    }
                    packed[b * BLOCK_BYTES + i] = (byte) v;
                }
            }
            MemorySegment.copy(packed, 0, data, ValueLayout.JAVA_BYTE, r * rowBytes, packed.length);
            scaleSegment.setAtIndex(ValueLayout.JAVA_FLOAT, r, scales[r]);
        }
        return new Packed(rows, cols, blocks, rowBytes, data, scaleSegment, scales);
    }

    /** A matrix in this layout (the native and vector kernels can read each other's). */
    record Packed(int rows, int cols, int blocks, long rowBytes,
                  MemorySegment data, MemorySegment scaleSegment, float[] scales) implements TernaryMatrix {
        @Override public float scale(int row) { return scales[row]; }

        @Override public long packedBytes() { return data.byteSize(); }

        /** A second copy in another place of memory (benchmarks cycle through copies to defeat the caches). */
        Packed copy(Arena arena) {
            MemorySegment d = arena.allocate(data.byteSize(), BLOCK_BYTES).copyFrom(data);
            MemorySegment s = arena.allocate(scaleSegment.byteSize(), BLOCK_BYTES).copyFrom(scaleSegment);
            return new Packed(rows, cols, blocks, rowBytes, d, s, scales);
        }

        static Packed of(TernaryMatrix w, String kernel) {
            if (w instanceof Packed p) return p;
            throw new IllegalArgumentException("the " + kernel + " kernel cannot read a " + w.getClass().getSimpleName()
                    + "; pack the matrix with the kernel that multiplies it");
        }
    }
}
