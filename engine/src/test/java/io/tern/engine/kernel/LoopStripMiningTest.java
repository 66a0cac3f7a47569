package io.tern.engine.kernel;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The check reads this JVM's flags: the test JVM runs G1 (strip mining on) unless flags say otherwise. */
class LoopStripMiningTest {
    @Test
    void readsThisJvmsFlags() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        boolean offByFlags = args.stream().anyMatch(a -> a.equals("-XX:+UseParallelGC") || a.equals("-XX:+UseSerialGC")
                || a.equals("-XX:-UseCountedLoopSafepoints") || a.equals("-XX:LoopStripMiningIter=0"));
        boolean onByFlags = args.contains("-XX:+UseCountedLoopSafepoints");
        Boolean enabled = LoopStripMining.enabled();
        assertNotNull(enabled, "a HotSpot JVM reports its flags");
        if (!offByFlags || onByFlags) {
            assertTrue(enabled, "strip mining is on by default with G1: " + args);
            assertNull(LoopStripMining.warning());
        } else {
            assertEquals(false, enabled);
            assertTrue(LoopStripMining.warning().contains("-XX:LoopStripMiningIter=1000"));
        }
    }
}
