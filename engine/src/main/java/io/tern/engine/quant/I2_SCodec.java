package io.tern.engine.quant;

import io.tern.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * I2_S (bitnet.cpp type 36, x86 layout): the tensor, row-major, is cut into 128-value blocks of 32 bytes; value j
 * of a block is in byte j%32 at bits 6−2·(j/32), stored as code+1. One float32 scale for the whole tensor follows
 * the total/4 packed bytes, padded with zeros to 32 bytes.
 */
final class I2_SCodec extends BlockTernaryCodec {
    static final I2_SCodec INSTANCE = new I2_SCodec();
    private static final int BLOCK_BYTES = 32;

    private I2_SCodec() {
        super(GgmlType.I2_S);
    }

    @Override
    float readBlock(MemorySegment t, long total, long b, byte[] codes, int off) {
        long base = b * BLOCK_BYTES;
        for (int m = 0; m < 32; m++) {
            int v = t.get(ValueLayout.JAVA_BYTE, base + m);
            codes[off + m] = (byte) (((v >> 6) & 3) - 1);
            codes[off + m + 32] = (byte) (((v >> 4) & 3) - 1);
            codes[off + m + 64] = (byte) (((v >> 2) & 3) - 1);
            codes[off + m + 96] = (byte) ((v & 3) - 1);
        }
        return t.get(Codecs.F32, total / 4);
    }

    @Override
    void writeBlock(MemorySegment t, long total, long b, byte[] codes, int off, float scale) {
        byte[] raw = new byte[BLOCK_BYTES];
        for (int m = 0; m < 32; m++) {
            raw[m] = (byte) ((codes[off + m] + 1) << 6 | (codes[off + m + 32] + 1) << 4
                    | (codes[off + m + 64] + 1) << 2 | (codes[off + m + 96] + 1));
        }
        MemorySegment.copy(raw, 0, t, ValueLayout.JAVA_BYTE, b * BLOCK_BYTES, BLOCK_BYTES);
    }

    @Override
    void writeTensorScale(MemorySegment t, long total, float scale) {
        t.set(Codecs.F32, total / 4, scale);
        t.asSlice(total / 4 + 4, GgmlType.I2_S_TRAILER - 4).fill((byte) 0);
    }

    /** One scale for the tensor: max |x| (as bitnet.cpp's quantize_i2_s), codes round(x / scale). */
    @Override
    public void encode(float[] src, int off, long total, MemorySegment dst) {
        Codecs.checkRange(type, dst, total, 0, total);
        Codecs.checkArray(src.length, off, total, "I2_S encode");
        float amax = 0;
        for (int i = 0; i < total; i++) {
            amax = Math.max(amax, Math.abs(src[off + i]));
        }
        float inv = amax != 0 ? 1 / amax : 0;
        byte[] codes = new byte[(int) total];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) Math.max(-1, Math.min(1, Codecs.roundAway(src[off + i] * inv)));
        }
        encodeTernary(codes, 0, total, amax, dst);
    }
}
