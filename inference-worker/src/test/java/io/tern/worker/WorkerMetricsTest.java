package io.tern.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tern.engine.forward.ForwardPass;
import io.tern.engine.model.BitNetModel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The gauges read the scheduler of the application that runs now: the registry Quarkus injects outlives an
 * application, and a gauge left behind by a closed scheduler would shadow the next one's under the same name.
 */
class WorkerMetricsTest {

    private static double budget(SimpleMeterRegistry registry) {
        Gauge g = registry.find("tern.worker.kv.budget.bytes").gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Test
    void closingASchedulerRemovesItsGaugesAndTheNextOneBindsItsOwn() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BitNetModel model = TestModels.load(TestModels.whole())) {
            BatchScheduler first = new BatchScheduler(new ForwardPass(model, 16), 64L << 20, 16, Duration.ofMinutes(5),
                    Duration.ZERO, new WorkerMetrics(registry));
            first.start();
            assertEquals(64L << 20, budget(registry));
            first.close();
            assertNull(registry.find("tern.worker.kv.budget.bytes").gauge(), "gauges of a closed scheduler are removed");
            assertNull(registry.find("tern.worker.queue.depth").gauge());

            BatchScheduler second = new BatchScheduler(new ForwardPass(model, 16), 32L << 20, 16, Duration.ofMinutes(5),
                    Duration.ZERO, new WorkerMetrics(registry));
            second.start();
            try {
                assertEquals(32L << 20, budget(registry), "the new scheduler's budget, not the old one's");
                assertEquals(0.0, registry.find("tern.worker.sequences").gauge().value());
            } finally {
                second.close();
            }
        }
    }
}
