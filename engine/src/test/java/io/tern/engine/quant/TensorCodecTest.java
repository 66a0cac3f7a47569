package io.tern.engine.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tern.engine.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TensorCodecTest {
    static MemorySegment alloc(GgmlType type, long total) throws Exception {
        return Arena.ofAuto().allocate(type.byteSize(total));
    }

    static byte[] randomCodes(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] c = new byte[n];
        for (int i = 0; i < n; i++) {
            c[i] = (byte) (r.nextInt(3) - 1);
        }
        return c;
    }

    /** F16 decodes in bulk-copied chunks: a range longer than a chunk, from an odd first element, into an offset. */
    @Test
    void f16DecodesLongRangesFromAnyFirstElement() throws Exception {
        int total = 10_001;
        MemorySegment seg = alloc(GgmlType.F16, total);
        SplittableRandom r = new SplittableRandom(4);
        short[] halves = new short[total];
        for (int i = 0; i < total; i++) {
            halves[i] = (short) r.nextInt(0x7c00);  // finite, either sign below
            if (r.nextBoolean()) halves[i] |= (short) 0x8000;
            seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i, halves[i]);
        }
        float[] dst = new float[9_000];
        TensorCodec.of(GgmlType.F16).decode(seg, total, 1_001, dst, 3, 8_995);
        for (int i = 0; i < 8_995; i++) assertEquals(Float.float16ToFloat(halves[1_001 + i]), dst[3 + i], "element " + i);
        assertEquals(0f, dst[0]);
        assertEquals(0f, dst[8_998]);
    }

    @Test
    void floatTypesRoundTripExactlyRepresentableValues() throws Exception {
        SplittableRandom r = new SplittableRandom(1);
        int n = 96;
        float[] src = new float[n];
        for (int i = 0; i < n; i++) {
            src[i] = Float.float16ToFloat(Float.floatToFloat16((float) r.nextGaussian()));
        }
        for (GgmlType t : new GgmlType[] {GgmlType.F32, GgmlType.F16}) {
            TensorCodec c = TensorCodec.of(t);
            MemorySegment seg = alloc(t, n);
            c.encode(src, 0, n, seg);
            float[] back = new float[n + 2];
            c.decode(seg, n, 0, back, 2, n);
            for (int i = 0; i < n; i++) {
                assertEquals(src[i], back[i + 2], t + " element " + i);
            }
        }
        float[] bf = new float[n];
        for (int i = 0; i < n; i++) {
            bf[i] = Float.intBitsToFloat(Float.floatToIntBits(src[i]) & 0xffff0000);
        }
        MemorySegment seg = alloc(GgmlType.BF16, n);
        TensorCodec.of(GgmlType.BF16).encode(bf, 0, n, seg);
        float[] back = new float[32];
        TensorCodec.of(GgmlType.BF16).decode(seg, n, 32, back, 0, 32);
        for (int i = 0; i < 32; i++) {
            assertEquals(bf[32 + i], back[i]);
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3f80, FloatCodecs.floatToBf16(Float.intBitsToFloat(0x3f808000))); // tie, even stays
        assertEquals((short) 0x3f82, FloatCodecs.floatToBf16(Float.intBitsToFloat(0x3f818000))); // tie, odd rounds up
        assertEquals((short) 0x3f81, FloatCodecs.floatToBf16(Float.intBitsToFloat(0x3f808001)));
    }

    @Test
    void q8_0RoundTripWithinHalfAStep() throws Exception {
        SplittableRandom r = new SplittableRandom(2);
        int n = 128;
        float[] src = new float[n];
        for (int i = 0; i < n; i++) {
            src[i] = (float) r.nextGaussian() * 3;
        }
        MemorySegment seg = alloc(GgmlType.Q8_0, n);
        TensorCodec.of(GgmlType.Q8_0).encode(src, 0, n, seg);
        float[] back = new float[n];
        TensorCodec.of(GgmlType.Q8_0).decode(seg, n, 0, back, 0, n);
        for (int b = 0; b < n / 32; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(src[b * 32 + i]));
            }
            for (int i = 0; i < 32; i++) {
                assertEquals(src[b * 32 + i], back[b * 32 + i], amax / 127 * 0.51 + 1e-3 * amax);
            }
        }
        // hand-built block: d = 0.5 (f16 0x3800), q[3] = -4
        MemorySegment block = Arena.ofAuto().allocate(34);
        block.set(Codecs.I16, 0, (short) 0x3800);
        block.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2 + 3, (byte) -4);
        float[] one = new float[32];
        TensorCodec.of(GgmlType.Q8_0).decode(block, 32, 0, one, 0, 32);
        assertEquals(-2f, one[3]);
        assertEquals(0f, one[4]);
    }

    @Test
    void ternaryTypesRoundTripCodesAndScaledFloats() throws Exception {
        int n = 1024;
        byte[] codes = randomCodes(n, 3);
        float scale = Float.float16ToFloat(Float.floatToFloat16(0.0371f));
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = codes[i] * scale;
        }
        for (GgmlType t : new GgmlType[] {GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.I2_S}) {
            TernaryCodec c = TensorCodec.ternary(t);
            MemorySegment seg = alloc(t, n);
            c.encodeTernary(codes, 0, n, scale, seg);
            byte[] back = new byte[n];
            assertEquals(scale, c.decodeTernary(seg, n, 0, back, 0, n), t.toString());
            assertArrayEquals(codes, back, t.toString());

            MemorySegment fromFloats = alloc(t, n);
            c.encode(w, 0, n, fromFloats);
            assertEquals(-1, seg.mismatch(fromFloats), t + ": encode(s·T) must equal encodeTernary(T, s)");
            float[] f = new float[n];
            c.decode(fromFloats, n, 0, f, 0, n);
            assertArrayEquals(w, f, t.toString());

            // a middle range only
            int first = 2 * t.blockSize();
            byte[] part = new byte[t.blockSize()];
            c.decodeTernary(seg, n, first, part, 0, part.length);
            for (int i = 0; i < part.length; i++) {
                assertEquals(codes[first + i], part[i], t + " element " + (first + i));
            }
        }
    }

    @Test
    void ternaryEncodingsOfTheSameCodesDecodeIdentically() throws Exception {
        int n = 4096;
        byte[] codes = randomCodes(n, 4);
        float scale = 0.125f;
        float[] ref = null;
        for (GgmlType t : new GgmlType[] {GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.I2_S}) {
            TernaryCodec c = TensorCodec.ternary(t);
            MemorySegment seg = alloc(t, n);
            c.encodeTernary(codes, 0, n, scale, seg);
            float[] f = new float[n];
            c.decode(seg, n, 0, f, 0, n);
            if (ref == null) {
                ref = f;
            } else {
                assertArrayEquals(ref, f, t.toString());
            }
        }
    }

    @Test
    void piecewiseEncodingEqualsWholeEncoding() throws Exception {
        int n = 2048;
        byte[] codes = randomCodes(n, 5);
        for (GgmlType t : new GgmlType[] {GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.I2_S}) {
            TernaryCodec c = TensorCodec.ternary(t);
            MemorySegment whole = alloc(t, n);
            MemorySegment pieces = alloc(t, n);
            c.encodeTernary(codes, 0, n, 0.5f, whole);
            c.encodeTernary(codes, 1024, n, 1024, 1024, 0.5f, pieces);
            c.encodeTernary(codes, 0, n, 0, 1024, 0.5f, pieces);
            assertEquals(-1, whole.mismatch(pieces), t.toString());
        }
    }

    @Test
    void i2sByteSizeIsQuarterPlusTrailer() throws Exception {
        assertEquals(1024 / 4 + 32, GgmlType.I2_S.byteSize(1024));
        assertEquals(2560L * 6912 / 4 + 32, GgmlType.I2_S.byteSize(2560L * 6912));
        assertEquals(66, GgmlType.TQ2_0.byteSize(256));
        assertEquals(54, GgmlType.TQ1_0.byteSize(256));
        assertThrows(io.tern.engine.gguf.GgufFormatException.class, () -> GgmlType.TQ2_0.byteSize(300));
    }

    @Test
    void scaleMismatchAcrossBlocksIsAnError() throws Exception {
        int n = 512;
        byte[] codes = randomCodes(n, 6);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = codes[i] * (i < 256 ? 1f : 2f);
        }
        for (GgmlType t : new GgmlType[] {GgmlType.TQ1_0, GgmlType.TQ2_0}) {
            TernaryCodec c = TensorCodec.ternary(t);
            MemorySegment seg = alloc(t, n);
            c.encode(w, 0, n, seg);
            byte[] back = new byte[n];
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> c.decodeTernary(seg, n, 0, back, 0, n));
            assertTrue(e.getMessage().contains("element 256"), e.getMessage());
            assertEquals(2f, c.decodeTernary(seg, n, 256, back, 0, 256));
        }
    }

    @Test
    void allZeroBlocksAreIgnoredForTheScale() throws Exception {
        int n = 768;
        float[] w = new float[n];
        for (int i = 512; i < n; i++) {
            w[i] = (i % 3 - 1) * 0.25f;
        }
        TernaryCodec c = TensorCodec.ternary(GgmlType.TQ2_0);
        MemorySegment seg = alloc(GgmlType.TQ2_0, n);
        c.encode(w, 0, n, seg); // blocks 0 and 1 get scale 0
        byte[] back = new byte[n];
        assertEquals(0.25f, c.decodeTernary(seg, n, 0, back, 0, n));
        assertEquals(0f, c.decodeTernary(seg, n, 0, back, 0, 512));
    }

    @Test
    void unsupportedTypeIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TensorCodec.of(GgmlType.Q4_K));
        assertTrue(e.getMessage().contains("Q4_K"));
        assertThrows(IllegalArgumentException.class, () -> TensorCodec.ternary(GgmlType.F16));
    }

    @Test
    void rangesAreChecked() throws Exception {
        TensorCodec c = TensorCodec.of(GgmlType.TQ2_0);
        MemorySegment seg = alloc(GgmlType.TQ2_0, 512);
        float[] dst = new float[512];
        assertThrows(IllegalArgumentException.class, () -> c.decode(seg, 512, 100, dst, 0, 256));
        assertThrows(IllegalArgumentException.class, () -> c.decode(seg, 512, 256, dst, 0, 512));
        assertThrows(IllegalArgumentException.class, () -> c.decode(seg, 1024, 0, dst, 0, 256));
        assertThrows(IllegalArgumentException.class, () -> c.decode(seg, 512, 0, dst, 300, 256));
    }
}
