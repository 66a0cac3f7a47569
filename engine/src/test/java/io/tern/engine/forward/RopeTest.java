package io.tern.engine.forward;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The lane-wise rotation gives the scalar loop's bits, for tabulated and computed positions, any head size. */
class RopeTest {
    /** The scalar definition: pair (i, i + half) of each head turns by pos · theta^(−2i/ropeDim), products rounded. */
    private static void reference(float[] x, int off, int heads, int headDim, int ropeDim, float theta, int pos) {
        int half = ropeDim / 2;
        for (int h = 0; h < heads; h++) {
            int o = off + h * headDim;
            for (int i = 0; i < half; i++) {
                double angle = pos * Math.pow(theta, -2.0 * i / ropeDim);
                float c = (float) Math.cos(angle), s = (float) Math.sin(angle);
                float x0 = x[o + i], x1 = x[o + i + half];
                x[o + i] = x0 * c - x1 * s;
                x[o + i + half] = x0 * s + x1 * c;
            }
        }
    }

    @Test
    void matchesTheScalarRotationBitForBit() {
        SplittableRandom rnd = new SplittableRandom(5);
        // 2B4T's heads (128), a head whose half is no multiple of any lane count (40), a partial rope dim (64 of 96).
        int[][] shapes = {{128, 128}, {40, 40}, {96, 64}};
        for (int[] shape : shapes) {
            int headDim = shape[0], ropeDim = shape[1], heads = 3, off = 7;
            Rope rope = new Rope(headDim, ropeDim, 500000f, 64);
            for (int pos : new int[]{0, 1, 63, 64, 500}) {   // 64 and 500 lie past the table: computed on use
                float[] x = new float[off + heads * headDim + 5];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                float[] expected = x.clone();
                reference(expected, off, heads, headDim, ropeDim, 500000f, pos);
                rope.apply(x, off, heads, pos);
                assertArrayEquals(expected, x, "head " + headDim + ", rope " + ropeDim + ", position " + pos);
            }
        }
    }

    @Test
    void refusesNegativePositions() {
        assertThrows(IllegalArgumentException.class, () -> new Rope(64, 64, 10000f, 16).apply(new float[64], 0, 1, -1));
    }
}
