package io.tern.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tern.engine.forward.StepProfile;
import io.tern.engine.kernel.MatmulPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The worker's meters, as Prometheus names them at {@code /q/metrics}:
 * <ul>
 * <li>{@code tern_worker_batch_tokens} (summary: _count, _sum, _max) tokens per scheduler step</li>
 * <li>{@code tern_worker_batch_sequences} (summary) sequences merged into one scheduler step</li>
 * <li>{@code tern_worker_step_latency_seconds} (timer) wall time of one scheduler step (layers + head)</li>
 * <li>{@code tern_worker_tokens_total} (counter) tokens run through this shard's layers</li>
 * <li>{@code tern_worker_step_phase_seconds_total{phase}} (counter) scheduler-thread time per phase of the forward
 * steps (rows, qkv, rope, attention, wo, gate_up, ffn_act, down, head): where decode time goes</li>
 * <li>{@code tern_worker_queue_depth} (gauge) sequence steps queued or running</li>
 * <li>{@code tern_worker_sequences} (gauge) sequences holding KV cache</li>
 * <li>{@code tern_worker_kv_bytes} (gauge) KV cache bytes reserved by those sequences</li>
 * <li>{@code tern_worker_kv_budget_bytes} (gauge) the KV budget</li>
 * <li>{@code tern_worker_compute_jobs_total} (counter) jobs the compute pool ran on its threads (a handful per layer
 * and step)</li>
 * <li>{@code tern_worker_compute_solo_jobs_total} (counter) those of them no pool worker took part in: a few percent
 * (jobs of a few µs) is normal; far more means the pod does not get the cores its pool was sized for (a CPU limit,
 * or a busy host)</li>
 * </ul>
 */
final class WorkerMetrics {
    private final MeterRegistry registry;
    private final DistributionSummary batchTokens;
    private final DistributionSummary batchSequences;
    private final Timer stepLatency;
    private final Counter tokens;
    private final List<Meter> bound = new ArrayList<>();   // what bind registered, removed by unbind

    WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.batchTokens = DistributionSummary.builder("tern.worker.batch.tokens")
                .description("Tokens per scheduler step").register(registry);
        this.batchSequences = DistributionSummary.builder("tern.worker.batch.sequences")
                .description("Sequences merged into one scheduler step").register(registry);
        this.stepLatency = Timer.builder("tern.worker.step.latency")
                .description("Wall time of one scheduler step").register(registry);
        this.tokens = Counter.builder("tern.worker.tokens")
                .description("Tokens run through this shard's layers").register(registry);
    }

    /**
     * Registers the gauges that read {@code scheduler}, held strongly, the phase counters that read {@code phases} (the
     * profile of its forward pass) and the job counters that read {@code pool} (its compute pool, or null). The registry
     * Quarkus injects is the JVM-wide global composite, which outlives an application (tests restart several in one
     * JVM): registering a name it already holds returns the old gauge, bound to an old scheduler — so {@link #unbind}
     * removes them at close.
     */
    void bind(BatchScheduler scheduler, StepProfile phases, MatmulPool pool) {
        bound.add(Gauge.builder("tern.worker.queue.depth", scheduler, s -> s.snapshot().queuedSteps())
                .description("Sequence steps queued or running").strongReference(true).register(registry));
        bound.add(Gauge.builder("tern.worker.sequences", scheduler, s -> s.snapshot().sequences())
                .description("Sequences holding KV cache").strongReference(true).register(registry));
        bound.add(Gauge.builder("tern.worker.kv.bytes", scheduler, s -> s.snapshot().kvReservedBytes())
                .description("KV cache bytes reserved").strongReference(true).register(registry));
        bound.add(Gauge.builder("tern.worker.kv.budget.bytes", scheduler, s -> s.snapshot().kvBudgetBytes())
                .description("KV cache budget").strongReference(true).register(registry));
        for (StepProfile.Phase p : StepProfile.Phase.values()) {
            // Read while the scheduler writes: a scrape may see a phase one step behind, never a torn value (64-bit longs).
            bound.add(FunctionCounter.builder("tern.worker.step.phase", phases, s -> s.nanos(p) / 1e9)
                    .tag("phase", p.name().toLowerCase(Locale.ROOT)).baseUnit("seconds")
                    .description("Scheduler-thread time in this phase of forward steps: " + p.label())
                    .register(registry));  // weakly held: the forward pass holds phases as long as the scheduler runs
        }
        if (pool != null) {
            bound.add(FunctionCounter.builder("tern.worker.compute.jobs", pool, p -> p.jobCounts().jobs())
                    .description("Jobs the compute pool ran on its threads").register(registry));
            bound.add(FunctionCounter.builder("tern.worker.compute.solo.jobs", pool, p -> p.jobCounts().solo())
                    .description("Compute-pool jobs that ran on the calling thread alone: no worker took a task before it was done")
                    .register(registry));
        }
    }

    /** Removes the meters {@link #bind} registered. */
    void unbind() {
        for (Meter m : bound) registry.remove(m);
        bound.clear();
    }

    void batch(int batchTokenCount, int sequences, long nanos) {
        batchTokens.record(batchTokenCount);
        batchSequences.record(sequences);
        stepLatency.record(nanos, TimeUnit.NANOSECONDS);
        tokens.increment(batchTokenCount);
    }
}
