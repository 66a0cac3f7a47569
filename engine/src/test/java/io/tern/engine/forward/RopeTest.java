package io.tern.engine.forward;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The lane-wise rotation of tabulated positions gives the bits of the scalar loop (a Rope with no table), any head size. */
class RopeTest {
    @Test
    void matchesTheScalarRotationBitForBit() {
        SplittableRandom rnd = new SplittableRandom(5);
        // 2B4T's heads (128), a head whose half is no multiple of any lane count (40), a partial rope dim (64 of 96).
        int[][] shapes = {{128, 128}, {40, 40}, {96, 64}};
        for (int[] shape : shapes) {
            int headDim = shape[0], ropeDim = shape[1], heads = 3, off = 7;
            Rope rope = new Rope(headDim, ropeDim, 500000f, 64);
            Rope scalar = new Rope(headDim, ropeDim, 500000f, 0);   // no table: every position takes the scalar loop
            for (int pos : new int[]{0, 1, 63, 64, 500}) {   // 64 and 500 lie past the table: computed on use
                float[] x = new float[off + heads * headDim + 5];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                float[] expected = x.clone();
                scalar.apply(expected, off, heads, pos);
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
