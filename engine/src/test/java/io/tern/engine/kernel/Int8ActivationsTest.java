package io.tern.engine.kernel;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Int8ActivationsTest {

    /** The definition, spelled out with BigDecimal: HALF_UP is half away from zero. */
    private static int reference(float v) {
        int q = new BigDecimal(v).setScale(0, RoundingMode.HALF_UP).intValueExact();
        return Math.max(-127, Math.min(127, q));
    }

    @Test
    void quantizeMatchesTheDefinition() {
        SplittableRandom rnd = new SplittableRandom(11);
        int cols = 96, tokens = 6;
        float[] x = new float[3 + tokens * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
        for (int c = 0; c < cols; c++) x[3 + 2 * cols + c] = 0f;  // token 2 all zero
        Int8Activations a = new Int8Activations(8, cols);
        a.quantize(x, 3, tokens);
        assertEquals(tokens, a.tokens());
        for (int t = 0; t < tokens; t++) {
            float max = 0f;
            for (int c = 0; c < cols; c++) max = Math.max(max, Math.abs(x[3 + t * cols + c]));
            float s = max == 0f ? 1f : 127f / max;
            assertEquals(s, a.scale(t), "scale of token " + t);
            int sum = 0;
            for (int c = 0; c < cols; c++) {
                int want = reference(x[3 + t * cols + c] * s);
                assertEquals(want, a.q(t, c), "token " + t + " col " + c);
                sum += want;
            }
            assertEquals(sum, a.sums()[t]);
        }
    }

    @Test
    void halvesAndNonFiniteValuesRoundLikeTheDefinition() {
        SplittableRandom rnd = new SplittableRandom(5);
        int cols = 512;
        float[] x = new float[cols];
        x[0] = 127f;  // s = 1: every other value quantises as itself
        for (int c = 1; c < cols; c++) {
            float v = rnd.nextInt(253) - 126 + (rnd.nextBoolean() ? 0.5f : (float) rnd.nextDouble());
            x[c] = rnd.nextInt(5) == 0 ? Math.nextDown(v) : v;
        }
        Int8Activations a = new Int8Activations(1, cols);
        a.quantize(x, 0, 1);
        for (int c = 0; c < cols; c++) assertEquals(reference(x[c]), a.q(0, c), "col " + c + " = " + x[c]);

        x[7] = Float.NaN;  // a NaN poisons the scale; every value quantises to 0, as the scalar definition does
        a.quantize(x, 0, 1);
        for (int c = 0; c < cols; c++) assertEquals(0, a.q(0, c));
    }

    @Test
    void roundsHalfAwayFromZeroWithoutTheFloatAddTrap() {
        int cols = 32;
        float[] x = new float[cols];
        x[0] = 127f;                 // s = 1
        x[1] = 2.5f;
        x[2] = -2.5f;                // Math.round would give -2
        x[3] = 0.49999997f;          // floor(v + 0.5f) would give 1
        x[4] = -0.5f;
        x[5] = 126.5f;
        x[6] = -127f;
        Int8Activations a = new Int8Activations(1, cols);
        a.quantize(x, 0, 1);
        assertEquals(1f, a.scale(0));
        int[] want = {127, 3, -3, 0, -1, 127, -127};
        for (int c = 0; c < want.length; c++) assertEquals(want[c], a.q(0, c), "col " + c);
    }

    @Test
    void paddingStaysZeroAndRequantizingOverwrites() {
        Int8Activations a = new Int8Activations(2, 96);
        float[] x = new float[2 * 96];
        java.util.Arrays.fill(x, -1f);
        a.quantize(x, 0, 2);
        assertEquals(-127 * 96, a.sums()[1]);
        for (int c = 96; c < a.stride(); c++) assertEquals(0, a.q(1, c));
        java.util.Arrays.fill(x, 0f);
        a.quantize(x, 0, 1);
        assertEquals(1, a.tokens());
        assertEquals(0, a.q(0, 5));
        assertEquals(1f, a.scale(0));
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> new Int8Activations(1, 33));
        assertThrows(IllegalArgumentException.class, () -> new Int8Activations(0, 32));
        Int8Activations a = new Int8Activations(2, 32);
        assertThrows(IllegalArgumentException.class, () -> a.quantize(new float[96], 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> a.quantize(new float[40], 10, 1));
    }
}
