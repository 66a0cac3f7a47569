package io.tern.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuHiccupsTest {
    @Test
    void countsOnlyGapsLongerThanTheThresholdAndAveragesOverThreads() {
        CpuHiccups.Gaps a = new CpuHiccups.Gaps(), b = new CpuHiccups.Gaps();
        for (int i = 0; i < 1000; i++) a.add(30);                 // clock reads: not gaps
        a.add(CpuHiccups.GAP_NANOS);                              // at the threshold: not a gap
        a.add(20_000);
        a.add(40_000);
        a.span = 1_000_000;                                       // 60 µs lost in 1 ms: 6%
        b.add(100_000);
        b.span = 1_000_000;                                       // 10%
        CpuHiccups h = CpuHiccups.of(a, b);
        assertEquals(0.08, h.lostShare(), 1e-12);
        assertEquals(1500, h.perSecond(), 1e-9);                  // 2000/s and 1000/s
        assertEquals(160.0 / 3, h.meanMicros(), 1e-9);
    }

    @Test
    void aShortProbeGivesASaneShare() throws InterruptedException {
        CpuHiccups h = CpuHiccups.measure(1, 0.05);
        assertTrue(h.lostShare() >= 0 && h.lostShare() < 1, "lost share " + h.lostShare());
        assertTrue(h.perSecond() >= 0, "gaps a second " + h.perSecond());
    }
}
