package io.tern.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RolloutPolicyTest {

    @Test
    void splitsTrafficByWeight() {
        RolloutPolicy p = RolloutPolicy.parse("stable:90, canary:10");
        SplittableRandom random = new SplittableRandom(1);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            counts.merge(p.pick(random), 1, Integer::sum);
        }
        assertEquals(2, counts.size());
        int canary = counts.get("canary");
        assertTrue(canary > 800 && canary < 1200, "canary share " + canary + " of 10000");
    }

    @Test
    void zeroWeightIsNeverPickedAndBadSpecsAreRefused() {
        RolloutPolicy p = RolloutPolicy.parse("v1:1,v2:0");
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 1000; i++) {
            assertEquals("v1", p.pick(random));
        }
        assertThrows(IllegalArgumentException.class, () -> RolloutPolicy.parse("a:0"));
        assertThrows(IllegalArgumentException.class, () -> RolloutPolicy.parse("a:x"));
        assertEquals(1, RolloutPolicy.parse("only").targets().getFirst().weight());
    }
}
