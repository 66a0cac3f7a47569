package io.tern.engine.quant;

import io.tern.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * TQ1_0 (ggml type 34): blocks of 256 values in 54 bytes: qs[48] with 5 trits per byte, qh[4] with 4 trits per
 * byte, then an f16 scale d. A byte holds trits t0..t4 (t0 most significant) as ceil((Σ t_i·3^(4-i)) · 256 / 243);
 * trit i is recovered as ((byte · 3^i) mod 256) · 3 >> 8. Trit = code + 1.
 * Element order: qs[0..32) hold values m + 32·i (values 0..159), qs[32..48) hold 160 + m + 16·i, and qh[j]
 * holds 240 + j + 4·i (only 4 trits, the fifth is 0).
 */
final class Tq1_0Codec extends BlockTernaryCodec {
    static final Tq1_0Codec INSTANCE = new Tq1_0Codec();
    private static final int BLOCK_BYTES = 54;
    private static final int[] POW3 = {1, 3, 9, 27, 81, 243};

    private Tq1_0Codec() {
        super(GgmlType.TQ1_0);
    }

    private static int trit(int packed, int i) {
        int q = (packed * POW3[i]) & 0xff;
        return (q * 3) >> 8;
    }

    private static byte pack(int value) {
        return (byte) ((value * 256 + 242) / 243);
    }

    @Override
    float readBlock(MemorySegment t, long total, long b, byte[] codes, int off) {
        long base = b * BLOCK_BYTES;
        for (int m = 0; m < 32; m++) {
            int v = t.get(ValueLayout.JAVA_BYTE, base + m) & 0xff;
            for (int i = 0; i < 5; i++) {
                codes[off + m + 32 * i] = (byte) (trit(v, i) - 1);
            }
        }
        for (int m = 0; m < 16; m++) {
            int v = t.get(ValueLayout.JAVA_BYTE, base + 32 + m) & 0xff;
            for (int i = 0; i < 5; i++) {
                codes[off + 160 + m + 16 * i] = (byte) (trit(v, i) - 1);
            }
        }
        for (int j = 0; j < 4; j++) {
            int v = t.get(ValueLayout.JAVA_BYTE, base + 48 + j) & 0xff;
            for (int i = 0; i < 4; i++) {
                codes[off + 240 + j + 4 * i] = (byte) (trit(v, i) - 1);
            }
        }
        return Float.float16ToFloat(t.get(Codecs.I16, base + 52));
    }

    @Override
    void writeBlock(MemorySegment t, long total, long b, byte[] codes, int off, float scale) {
        byte[] raw = new byte[BLOCK_BYTES];
        for (int m = 0; m < 32; m++) {
            int q = 0;
            for (int i = 0; i < 5; i++) {
                q = q * 3 + codes[off + m + 32 * i] + 1;
            }
            raw[m] = pack(q);
        }
        for (int m = 0; m < 16; m++) {
            int q = 0;
            for (int i = 0; i < 5; i++) {
                q = q * 3 + codes[off + 160 + m + 16 * i] + 1;
            }
            raw[32 + m] = pack(q);
        }
        for (int j = 0; j < 4; j++) {
            int q = 0;
            for (int i = 0; i < 4; i++) {
                q = q * 3 + codes[off + 240 + j + 4 * i] + 1;
            }
            raw[48 + j] = pack(q * 3);
        }
        short d = Float.floatToFloat16(scale);
        raw[52] = (byte) d;
        raw[53] = (byte) (d >> 8);
        MemorySegment.copy(raw, 0, t, ValueLayout.JAVA_BYTE, b * BLOCK_BYTES, BLOCK_BYTES);
    }
}
