package io.tern.engine.quant;

import io.tern.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Q8_0: blocks of 32 values, f16 scale d then 32 int8 q; value = d · q. */
final class Q8_0Codec implements TensorCodec {
    static final Q8_0Codec INSTANCE = new Q8_0Codec();
    private static final int QK = 32;
    private static final int BLOCK_BYTES = 34;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void decode(MemorySegment tensor, long total, long first, float[] dst, int off, int n) {
        Codecs.checkRange(type(), tensor, total, first, n);
        Codecs.checkArray(dst.length, off, n, "Q8_0 decode");
        byte[] q = new byte[QK];
        for (int b = 0; b < n / QK; b++) {
            long base = (first / QK + b) * BLOCK_BYTES;
            float d = Float.float16ToFloat(tensor.get(Codecs.I16, base));
            MemorySegment.copy(tensor, ValueLayout.JAVA_BYTE, base + 2, q, 0, QK);
            for (int i = 0; i < QK; i++) {
                dst[off + b * QK + i] = d * q[i];
            }
        }
    }

    /** Like ggml's quantize_row_q8_0_ref: d = max|x| / 127, q = round(x / d). */
    @Override
    public void encode(float[] src, int off, long total, MemorySegment dst) {
        Codecs.checkRange(type(), dst, total, 0, total);
        Codecs.checkArray(src.length, off, total, "Q8_0 encode");
        for (int b = 0; b < total / QK; b++) {
            int base = off + b * QK;
            float amax = 0;
            for (int i = 0; i < QK; i++) {
                amax = Math.max(amax, Math.abs(src[base + i]));
            }
            float d = amax / 127;
            float id = d != 0 ? 1 / d : 0;
            long at = (long) b * BLOCK_BYTES;
            dst.set(Codecs.I16, at, Float.floatToFloat16(d));
            for (int i = 0; i < QK; i++) {
                dst.set(ValueLayout.JAVA_BYTE, at + 2 + i, (byte) Codecs.roundAway(src[base + i] * id));
            }
        }
    }
}
