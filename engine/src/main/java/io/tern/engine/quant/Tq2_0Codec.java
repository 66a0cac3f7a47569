package io.tern.engine.quant;

import io.tern.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * TQ2_0 (ggml type 35): blocks of 256 values in 66 bytes, 64 bytes of 2-bit codes then an f16 scale d.
 * Value k of a block sits in byte (k/128)·32 + k%32 at bits 2·((k%128)/32), stored as code+1.
 */
final class Tq2_0Codec extends BlockTernaryCodec {
    static final Tq2_0Codec INSTANCE = new Tq2_0Codec();
    private static final int QS = 64;
    private static final int BLOCK_BYTES = 66;

    private Tq2_0Codec() {
        super(GgmlType.TQ2_0);
    }

    @Override
    float readBlock(MemorySegment t, long total, long b, byte[] codes, int off) {
        long base = b * BLOCK_BYTES;
        for (int j = 0; j < QS; j++) {
            int v = t.get(ValueLayout.JAVA_BYTE, base + j);
            int k = (j >> 5) * 128 + (j & 31);
            codes[off + k] = (byte) ((v & 3) - 1);
            codes[off + k + 32] = (byte) (((v >> 2) & 3) - 1);
            codes[off + k + 64] = (byte) (((v >> 4) & 3) - 1);
            codes[off + k + 96] = (byte) (((v >> 6) & 3) - 1);
        }
        return Float.float16ToFloat(t.get(Codecs.I16, base + QS));
    }

    @Override
    void writeBlock(MemorySegment t, long total, long b, byte[] codes, int off, float scale) {
        byte[] raw = new byte[BLOCK_BYTES];
        for (int j = 0; j < QS; j++) {
            int k = off + (j >> 5) * 128 + (j & 31);
            raw[j] = (byte) ((codes[k] + 1) | (codes[k + 32] + 1) << 2 | (codes[k + 64] + 1) << 4
                    | (codes[k + 96] + 1) << 6);
        }
        short d = Float.floatToFloat16(scale);
        raw[QS] = (byte) d;
        raw[QS + 1] = (byte) (d >> 8);
        MemorySegment.copy(raw, 0, t, ValueLayout.JAVA_BYTE, b * BLOCK_BYTES, BLOCK_BYTES);
    }
}
