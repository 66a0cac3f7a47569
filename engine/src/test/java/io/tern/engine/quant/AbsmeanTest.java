package io.tern.engine.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AbsmeanTest {
    @Test
    void scaleIsMeanAbsAndCodesRoundAndClamp() {
        float[] w = {0.5f, -1.5f, 0.1f, 3f, -0.2f, 0.25f, 0f, -0.75f};
        // mean |w| = 6.3 / 8 = 0.7875
        byte[] codes = new byte[w.length];
        float s = Absmean.ternarise(w, 0, w.length, codes, 0);
        assertEquals(0.7875f, s, 1e-6f);
        assertArrayEquals(new byte[] {1, -1, 0, 1, 0, 0, 0, -1}, codes);
    }

    @Test
    void halvesRoundToEvenAndScaleHasAFloor() {
        byte[] codes = new byte[2];
        Absmean.ternarise(new float[] {0.5f, -0.5f}, 0, 2, 1f, codes, 0);
        assertArrayEquals(new byte[] {0, 0}, codes);
        assertEquals(Absmean.MIN_SCALE, Absmean.scale(new float[4], 0, 4));
    }
}
