package io.tern.engine.quant;

import io.tern.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** F32, F16 and BF16: one value per element, no blocks. */
final class FloatCodecs {
    /** Halves converted per bulk copy. */
    private static final int HALF_CHUNK = 4096;
    /** Per thread, the chunk halves are copied into: an embedding lookup every token allocates nothing here. */
    private static final ThreadLocal<short[]> HALVES = ThreadLocal.withInitial(() -> new short[HALF_CHUNK]);

    static final TensorCodec F32 = new Codec(GgmlType.F32) {
        @Override
        void decodeRange(MemorySegment t, long first, float[] dst, int off, int n) {
            MemorySegment.copy(t, Codecs.F32, first * 4, dst, off, n);
        }

        @Override
        void encodeRange(float[] src, int off, int n, MemorySegment dst) {
            MemorySegment.copy(src, off, dst, Codecs.F32, 0, n);
        }
    };

    static final TensorCodec F16 = new Codec(GgmlType.F16) {
        /**
         * Halves bulk-copied to a short[], converted from there. A loop of segment reads here sent C2 into a
         * deoptimise / recompile cycle (a profiled loop predicate failing, again and again) that kept ~6% of the
         * machine compiling during decode, where every token's embedding row comes through this method.
         */
        @Override
        void decodeRange(MemorySegment t, long first, float[] dst, int off, int n) {
            short[] halves = HALVES.get();
            for (int done = 0; done < n; done += halves.length) {
                int m = Math.min(halves.length, n - done);
                MemorySegment.copy(t, Codecs.I16, (first + done) * 2, halves, 0, m);
                for (int i = 0; i < m; i++) dst[off + done + i] = Float.float16ToFloat(halves[i]);
            }
        }

        @Override
        void encodeRange(float[] src, int off, int n, MemorySegment dst) {
            for (int i = 0; i < n; i++) {
                dst.set(Codecs.I16, 2L * i, Float.floatToFloat16(src[off + i]));
            }
        }
    };

    static final TensorCodec BF16 = new Codec(GgmlType.BF16) {
        @Override
        void decodeRange(MemorySegment t, long first, float[] dst, int off, int n) {
            for (int i = 0; i < n; i++) {
                dst[off + i] = bf16ToFloat(t.get(Codecs.I16, (first + i) * 2));
            }
        }

        @Override
        void encodeRange(float[] src, int off, int n, MemorySegment dst) {
            for (int i = 0; i < n; i++) {
                dst.set(Codecs.I16, 2L * i, floatToBf16(src[off + i]));
            }
        }
    };

    private FloatCodecs() {
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round to nearest even, NaN kept quiet (as ggml does). */
    static short floatToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    private abstract static class Codec implements TensorCodec {
        private final GgmlType type;

        Codec(GgmlType type) {
            this.type = type;
        }

        @Override
        public GgmlType type() {
            return type;
        }

        abstract void decodeRange(MemorySegment t, long first, float[] dst, int off, int n);

        abstract void encodeRange(float[] src, int off, int n, MemorySegment dst);

        @Override
        public void decode(MemorySegment tensor, long total, long first, float[] dst, int off, int n) {
            Codecs.checkRange(type, tensor, total, first, n);
            Codecs.checkArray(dst.length, off, n, type + " decode");
            decodeRange(tensor, first, dst, off, n);
        }

        @Override
        public void encode(float[] src, int off, long total, MemorySegment dst) {
            Codecs.checkRange(type, dst, total, 0, total);
            Codecs.checkArray(src.length, off, total, type + " encode");
            encodeRange(src, off, (int) total, dst);
        }
    }
}
