package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.quant.Absmean;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.testmodel.HfTestModel;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfWeightsTest {
    /** The example in transformers' unpack_weights docstring: 2 packed rows → 8 rows. */
    @Test
    void unpacksLikeTransformers() throws Exception {
        MemorySegment packed = MemorySegment.ofArray(new byte[] {
                (byte) 0b10100001, (byte) 0b00011000,
                (byte) 0b10010000, (byte) 0b00001010});
        PackedHfWeight w = new PackedHfWeight(packed, 8, 2, 1f, "example");
        byte[] codes = new byte[16];
        w.codes(0, 8, codes);
        assertArrayEquals(new byte[] {0, -1, -1, 1, -1, 1, -1, 1, 1, 0, 0, -1, 1, -1, 1, -1}, codes);
        byte[] tail = new byte[4];
        w.codes(6, 2, tail);
        assertArrayEquals(new byte[] {1, -1, 1, -1}, tail);
    }

    @Test
    void packedCodeThreeIsAnError() {
        PackedHfWeight w = new PackedHfWeight(MemorySegment.ofArray(new byte[] {(byte) 0b11000000}), 4, 1, 1f, "x");
        ImportException e = assertThrows(ImportException.class, () -> w.codes(0, 4, new byte[4]));
        assertTrue(e.getMessage().contains("row 3"), e.getMessage());
    }

    @Test
    void packRoundTrip() throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        int rows = 12, cols = 7;
        byte[] codes = new byte[rows * cols];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) (r.nextInt(3) - 1);
        }
        MemorySegment packed = MemorySegment.ofArray(new byte[rows / 4 * cols]);
        HfTestModel.pack(codes, rows, cols, packed);
        byte[] back = new byte[codes.length];
        new PackedHfWeight(packed, rows, cols, 1f, "x").codes(0, rows, back);
        assertArrayEquals(codes, back);
    }

    /** The streamed absmean of a master weight is exactly Absmean over the whole tensor, and so are the codes. */
    @Test
    void masterWeightMatchesAbsmean() {
        SplittableRandom r = new SplittableRandom(7);
        int rows = 64, cols = 96;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 1.7f;
        }
        MemorySegment bf16 = MemorySegment.ofArray(new byte[w.length * 2]);
        TensorCodec.of(GgmlType.BF16).encode(w, 0, w.length, bf16);
        TensorCodec.of(GgmlType.BF16).decode(bf16, w.length, 0, w, 0, w.length);
        MasterHfWeight m = new MasterHfWeight(new FloatSource(bf16, TensorCodec.of(GgmlType.BF16), w.length, "w"),
                rows, cols);
        byte[] want = new byte[w.length];
        float s = Absmean.ternarise(w, 0, w.length, want, 0);
        assertEquals(s, m.scale());
        byte[] got = new byte[w.length];
        m.codes(0, rows, got);
        assertArrayEquals(want, got);
    }
}
