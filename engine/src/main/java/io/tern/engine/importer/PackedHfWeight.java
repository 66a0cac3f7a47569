package io.tern.engine.importer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A pre-quantised Hugging Face BitLinear weight: uint8 (out/4, in) where byte p[i][c] holds rows i, i + out/4,
 * i + out/2 and i + 3·out/4 of column c in bit pairs 0-1, 2-3, 4-5, 6-7, each stored as code + 1
 * (transformers' pack_weights / unpack_weights), with one per-tensor scale already converted to W = s·T.
 */
final class PackedHfWeight implements TernaryWeight {
    private final MemorySegment packed; // (rows / 4, cols)
    private final int rows;
    private final int cols;
    private final float scale;
    private final String source;

    PackedHfWeight(MemorySegment packed, int rows, int cols, float scale, String source) {
        this.packed = packed;
        this.rows = rows;
        this.cols = cols;
        this.scale = scale;
        this.source = source;
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public long sourceBytes() { return packed.byteSize(); }

    @Override public String source() { return source; }

    @Override
    public float codes(int first, int n, byte[] dst) throws ImportException {
        int quarter = rows / 4;
        byte[] row = new byte[cols];
        for (int i = 0; i < n; i++) {
            int r = first + i;
            MemorySegment.copy(packed, ValueLayout.JAVA_BYTE, (long) (r % quarter) * cols, row, 0, cols);
            int shift = 2 * (r / quarter);
            for (int c = 0; c < cols; c++) {
                int v = (row[c] >> shift) & 3;
                if (v == 3) {
                    throw new ImportException("packed weight '" + source + "' holds the code 3 (not ternary) for row "
                            + r + ", column " + c);
                }
                dst[i * cols + c] = (byte) (v - 1);
            }
        }
        return scale;
    }
}
