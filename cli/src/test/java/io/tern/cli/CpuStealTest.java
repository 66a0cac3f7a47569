package io.tern.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuStealTest {
    @Test
    void stealShareIsStolenJiffiesOverAllJiffies() {
        CpuSteal a = CpuSteal.parse("cpu  100 0 20 300 5 0 1 10 0 0");
        CpuSteal b = CpuSteal.parse("cpu  250 0 40 330 5 0 1 60 0 0");
        assertEquals(50.0 / 250, b.since(a), 1e-12);
    }

    @Test
    void unknownWhenTheLineIsNotTheAggregateOrTimeDidNotMove() {
        assertTrue(Double.isNaN(CpuSteal.parse("cpu0 1 2 3 4 5 6 7 8").since(CpuSteal.parse("cpu 1 2 3 4 5 6 7 8"))));
        CpuSteal a = CpuSteal.parse("cpu 1 2 3 4 5 6 7 8");
        assertTrue(Double.isNaN(a.since(a)));
    }
}
