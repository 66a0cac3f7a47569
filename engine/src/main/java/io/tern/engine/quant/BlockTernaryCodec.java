package io.tern.engine.quant;

import io.tern.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Shared driver of the ternary codecs: walks blocks, checks arguments and scale consistency. A subclass reads and
 * writes one block of codes (-1/0/+1, or 2 for a stored code 3, which ggml would decode as 2·d).
 */
abstract class BlockTernaryCodec implements TernaryCodec {
    protected final GgmlType type;
    protected final int block;

    BlockTernaryCodec(GgmlType type) {
        this.type = type;
        this.block = type.blockSize();
    }

    @Override
    public GgmlType type() {
        return type;
    }

    /** Unpacks block {@code b} into codes[off..off+block) and returns its scale. */
    abstract float readBlock(MemorySegment t, long total, long b, byte[] codes, int off);

    /** Packs codes[off..off+block) as block {@code b} with scale {@code scale} (where blocks carry one). */
    abstract void writeBlock(MemorySegment t, long total, long b, byte[] codes, int off, float scale);

    /** Writes a per-tensor scale, for layouts that have one. */
    void writeTensorScale(MemorySegment t, long total, float scale) {
    }

    /** Scale used by {@link #encode} for a block of floats: its max |x| (ggml's TQ quantizers). */
    float floatScale(float[] src, int off, long total, long b) {
        float amax = 0;
        for (int i = 0; i < block; i++) {
            amax = Math.max(amax, Math.abs(src[off + (int) (b * block) + i]));
        }
        return amax;
    }

    @Override
    public void decode(MemorySegment tensor, long total, long first, float[] dst, int off, int n) {
        Codecs.checkRange(type, tensor, total, first, n);
        Codecs.checkArray(dst.length, off, n, type + " decode");
        byte[] codes = new byte[block];
        for (int i = 0; i < n; i += block) {
            float d = readBlock(tensor, total, (first + i) / block, codes, 0);
            for (int k = 0; k < block; k++) {
                dst[off + i + k] = codes[k] * d;
            }
        }
    }

    @Override
    public float decodeTernary(MemorySegment tensor, long total, long first, byte[] dst, int off, int n) {
        Codecs.checkRange(type, tensor, total, first, n);
        Codecs.checkArray(dst.length, off, n, type + " decodeTernary");
        float scale = 0;
        long scaleAt = -1;
        for (int i = 0; i < n; i += block) {
            float d = readBlock(tensor, total, (first + i) / block, dst, off + i);
            boolean nonZero = false;
            for (int k = 0; k < block; k++) {
                byte c = dst[off + i + k];
                if (c == 2) {
                    throw new IllegalStateException(type + ": element " + (first + i + k)
                            + " holds code 3, which is not ternary");
                }
                nonZero |= c != 0;
            }
            if (!nonZero || d == 0) {
                java.util.Arrays.fill(dst, off + i, off + i + block, (byte) 0);
                continue;
            }
            if (scaleAt < 0) {
                scale = d;
                scaleAt = first + i;
            } else if (Float.compare(d, scale) != 0) {
                throw new IllegalStateException(type + ": block at element " + (first + i) + " has scale " + d
                        + ", the block at element " + scaleAt + " has scale " + scale);
            }
        }
        return scale;
    }

    @Override
    public void encodeTernary(byte[] codes, int off, long total, float scale, MemorySegment dst) {
        Codecs.checkArray(codes.length, off, total, type + " encodeTernary");
        encodeTernary(codes, off, total, 0, (int) total, scale, dst);
    }

    @Override
    public void encodeTernary(byte[] codes, int off, long total, long first, int n, float scale, MemorySegment dst) {
        Codecs.checkRange(type, dst, total, first, n);
        Codecs.checkArray(codes.length, off, n, type + " encodeTernary");
        for (int i = 0; i < n; i++) {
            byte c = codes[off + i];
            if (c < -1 || c > 1) {
                throw new IllegalArgumentException(type + ": code " + c + " at element " + (first + i)
                        + " is not -1, 0 or 1");
            }
        }
        for (int i = 0; i < n; i += block) {
            writeBlock(dst, total, (first + i) / block, codes, off + i, scale);
        }
        writeTensorScale(dst, total, scale);
    }

    /** Quantizes floats: code = round(x / s) clamped to ±1, s = {@link #floatScale}; exact for inputs s·T. */
    @Override
    public void encode(float[] src, int off, long total, MemorySegment dst) {
        Codecs.checkRange(type, dst, total, 0, total);
        Codecs.checkArray(src.length, off, total, type + " encode");
        byte[] codes = new byte[block];
        float last = 0;
        for (long b = 0; b < total / block; b++) {
            float s = floatScale(src, off, total, b);
            float inv = s != 0 ? 1 / s : 0;
            for (int k = 0; k < block; k++) {
                int q = Codecs.roundAway(src[off + (int) (b * block) + k] * inv);
                codes[k] = (byte) Math.max(-1, Math.min(1, q));
            }
            writeBlock(dst, total, b, codes, 0, s);
            last = s;
        }
        writeTensorScale(dst, total, last);
    }
}
