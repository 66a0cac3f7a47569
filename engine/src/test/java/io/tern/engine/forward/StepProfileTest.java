package io.tern.engine.forward;

import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.NumericPath;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A profiled step books time to every phase it runs and computes the same bits as an unprofiled one. */
class StepProfileTest {
    private static final int[] PROMPT = {1, 5, 9, 2};

    @Test
    void everyPhaseGetsTimeAndTheLogitsStayTheSame() throws Exception {
        try (BitNetModel model = ConformanceTest.load(NumericPath.INT8, "auto")) {
            ForwardPass plain = new ForwardPass(model, 8), timed = new ForwardPass(model, 8);
            StepProfile profile = new StepProfile();
            timed.profile(profile);
            KvCache a = plain.newCache(32), b = timed.newCache(32);
            assertArrayEquals(plain.forward(PROMPT, a, true), timed.forward(PROMPT, b, true));
            assertArrayEquals(plain.forward(new int[] {7}, a, false), timed.forward(new int[] {7}, b, false));
            for (StepProfile.Phase p : StepProfile.Phase.values()) assertTrue(profile.nanos(p) > 0, p + " got no time");

            timed.profile(null);  // off again: nothing more is booked
            long before = profile.all().values().stream().mapToLong(Long::longValue).sum();
            timed.forward(new int[] {8}, b, false);
            assertEquals(before, profile.all().values().stream().mapToLong(Long::longValue).sum());
            profile.reset();
            for (StepProfile.Phase p : StepProfile.Phase.values()) assertEquals(0, profile.nanos(p));
        }
    }
}
