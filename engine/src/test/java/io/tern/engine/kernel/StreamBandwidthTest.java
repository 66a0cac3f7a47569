package io.tern.engine.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plain read the rooflines divide by: on threads of its own or on a compute pool's; speed is the bench's business. */
class StreamBandwidthTest {
    @Test
    void readsOnItsOwnThreadsAndOnAPoolsThreads() throws Exception {
        try (StreamBandwidth.Reader own = new StreamBandwidth.Reader(4L << 20, 2)) {
            double gbs = own.pass();
            assertTrue(gbs > 0 && Double.isFinite(gbs), "own threads: " + gbs);
        }
        try (MatmulPool pool = new MatmulPool(null, 2); StreamBandwidth.Reader onPool = new StreamBandwidth.Reader(4L << 20, pool)) {
            for (int i = 0; i < 3; i++) {
                double gbs = onPool.pass();
                assertTrue(gbs > 0 && Double.isFinite(gbs), "pool threads: " + gbs);
            }
        }
    }

    @Test
    void aPoolReaderRunsOnThePool() throws Exception {
        MatmulPool pool = new MatmulPool(null, 2);
        try (StreamBandwidth.Reader reader = new StreamBandwidth.Reader(4L << 20, pool)) {
            reader.pass();
            pool.close();
            assertThrows(IllegalStateException.class, reader::pass);  // no threads of its own to fall back on
        }
    }
}
