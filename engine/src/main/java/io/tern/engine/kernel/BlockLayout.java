package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The 2-bit block layout shared by the native and vector kernels.
 *
 * <p>A row is a run of 64-byte blocks, each holding 256 columns; rows start on 64-byte boundaries. Byte i of block b
 * holds columns {@code b·256 + i + 64·k} in bits {@code 2k..2k+1} (k = 0..3), so shifting a loaded vector of bytes
 * right by 2k yields the codes of 32 or 64 consecutive columns, matching a plain load of activations. Columns past
 * cols are weight 0.
 */
final class BlockLayout {
    static final int BLOCK_COLS = 256;
    static final int BLOCK_BYTES = 64;

    /** How a weight becomes 2 bits. */
    enum Code {
        /** w + 1 ∈ {0, 1, 2}: unsigned, for maddubs/dpbusd with the Σq offset. */
        OFFSET,
        /** w & 3 (two's complement): sign-extends back to w with a shift pair. */
        TWOS;

        int of(int w) { return this == OFFSET ? w + 1 : w & 3; }
    }

    private BlockLayout() {}

    static void checkCols(int cols) {
        if (cols <= 0 || cols % 32 != 0) {
            throw new IllegalArgumentException("cols must be a positive multiple of 32, got " + cols);
        }
    }

    static int blocks(int cols) { return (cols + BLOCK_COLS - 1) / BLOCK_COLS; }

    static int paddedCols(int cols) { return blocks(cols) * BLOCK_COLS; }

    static Packed pack(int rows, int cols, TernaryRows source, Arena arena, Code code) {
        if (rows <= 0) throw new IllegalArgumentException("rows must be positive, got " + rows);
        checkCols(cols);
        int blocks = blocks(cols);
        long rowBytes = (long) blocks * BLOCK_BYTES;
        MemorySegment data = arena.allocate(rowBytes * rows, BLOCK_BYTES);
        MemorySegment scaleSegment = arena.allocate((long) rows * Float.BYTES, BLOCK_BYTES);
        float[] scales = new float[rows];
        byte[] w = new byte[blocks * BLOCK_COLS];
        byte[] packed = new byte[(int) rowBytes];
        int zero = code.of(0);
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
                        v |= (c < cols ? code.of(w[c]) : zero) << (2 * k);
                    }
                    packed[b * BLOCK_BYTES + i] = (byte) v;
                }
            }
            MemorySegment.copy(packed, 0, data, ValueLayout.JAVA_BYTE, r * rowBytes, packed.length);
            scaleSegment.setAtIndex(ValueLayout.JAVA_FLOAT, r, scales[r]);
        }
        return new Packed(rows, cols, blocks, rowBytes, code, data, scaleSegment, scales);
    }

    /** A matrix in this layout. {@code code} tells which encoding it was packed with. */
    record Packed(int rows, int cols, int blocks, long rowBytes, Code code,
                  MemorySegment data, MemorySegment scaleSegment, float[] scales) implements TernaryMatrix {
        @Override public float scale(int row) { return scales[row]; }

        @Override public long packedBytes() { return data.byteSize(); }

        /** A second copy in another place of memory (benchmarks cycle through copies to defeat the caches). */
        Packed copy(Arena arena) {
            MemorySegment d = arena.allocate(data.byteSize(), BLOCK_BYTES).copyFrom(data);
            MemorySegment s = arena.allocate(scaleSegment.byteSize(), BLOCK_BYTES).copyFrom(scaleSegment);
            return new Packed(rows, cols, blocks, rowBytes, code, d, s, scales);
        }

        static Packed of(TernaryMatrix w, Code expected, String kernel) {
            if (w instanceof Packed p && p.code == expected) return p;
            throw new IllegalArgumentException("matrix was not packed by the " + kernel + " kernel: " + w.getClass().getSimpleName()
                    + (w instanceof Packed p ? " with " + p.code + " codes" : ""));
        }
    }
}
