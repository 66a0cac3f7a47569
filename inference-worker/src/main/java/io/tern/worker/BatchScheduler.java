package io.tern.worker;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.StepProfile;
import io.tern.engine.model.BitNetModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Continuous batching over one {@link ForwardPass}. Forward calls from any thread queue their steps; one scheduler
 * thread repeatedly takes the head step of every sequence that has work, decode-sized steps first, as many tokens as
 * fit {@code maxBatchTokens} (a long prefill is cut into chunks, the rest waits for the next round), runs them as one
 * {@code ForwardPass.layers} call, and completes the calls whose steps are done. The engine's pass is single-threaded;
 * its matmuls use the engine's own thread pool.
 *
 * <p>Everything below the lock (queue, sequences, budget) is touched only with it held; the forward run itself happens
 * outside it, so calls can queue meanwhile.
 */
final class BatchScheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BatchScheduler.class);
    /** Steps of at most this many tokens count as decodes and go first, so prefills cannot starve them. */
    static final int DECODE_TOKENS = 4;

    /** Counts for Describe, metrics and tests. */
    record Snapshot(int queuedSteps, int sequences, long kvReservedBytes, long kvBudgetBytes, long batches,
                    long tokens, int maxSegmentsInBatch) {
    }

    private final ForwardPass pass;
    private final BatchRunner runner;
    private final SequenceTable sequences;
    private final Duration idleTimeout;
    private final WorkerMetrics metrics;
    private final int contextLength;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workArrived = lock.newCondition();
    private final List<StepTask> queue = new ArrayList<>(); // FIFO
    private final Thread thread;
    private volatile boolean closed;
    private long batches;
    private long tokens;
    private int maxSegmentsInBatch;
    private final long gatherNanos;
    private int lastSegments;

    /**
     * @param batchGather how long a step may wait for sequences of the previous step to come back before running
     *                    with fewer (0 = never wait)
     */
    BatchScheduler(ForwardPass pass, long kvBudgetBytes, int maxSequences, Duration idleTimeout,
                   Duration batchGather, WorkerMetrics metrics) {
        BitNetModel model = pass.model();
        this.pass = pass;
        this.runner = new BatchRunner(pass);
        this.sequences = new SequenceTable(new KvBudget(kvBudgetBytes), maxSequences, pass);
        this.idleTimeout = idleTimeout;
        this.gatherNanos = batchGather.toNanos();
        this.metrics = metrics;
        this.contextLength = model.config().contextLength();
        this.thread = Thread.ofPlatform().name("tern-batch-scheduler").daemon().unstarted(this::loop);
    }

    void start() {
        if (metrics != null) {
            StepProfile phases = new StepProfile();  // ~12 clock reads per layer: noise next to a step
            pass.profile(phases);
            metrics.bind(this, phases, pass.model().pool());
        }
        thread.start();
    }

    int maxBatchTokens() {
        return pass.maxTokens();
    }

    /**
     * Queues the steps of one request. Positions are checked against each sequence's cache plus its queued steps;
     * new sequences are created (and their KV reserved) here. Throws INVALID_ARGUMENT / RESOURCE_EXHAUSTED before
     * anything is queued.
     */
    ForwardCall submit(long batchId, List<StepInput> steps, long deadlineNanos) {
        ForwardCall call = new ForwardCall(batchId, deadlineNanos);
        long now = System.nanoTime();
        lock.lock();
        try {
            if (closed) {
                throw Status.UNAVAILABLE.withDescription("worker is shutting down").asRuntimeException();
            }
            List<Sequence> bound = new ArrayList<>(steps.size());
            List<Sequence> created = new ArrayList<>();
            try {
                for (StepInput step : steps) {
                    bound.add(bind(step, created, now));
                }
            } catch (StatusRuntimeException e) {
                created.forEach(s -> sequences.remove(s.id));
                throw e;
            }
            for (int i = 0; i < steps.size(); i++) {
                StepTask task = new StepTask(call, bound.get(i), steps.get(i));
                call.tasks.add(task);
                task.sequence.pending.addLast(task);
                task.sequence.lastTouchedNanos = now;
                queue.add(task);
            }
            workArrived.signal();
        } finally {
            lock.unlock();
        }
        return call;
    }

    private Sequence bind(StepInput step, List<Sequence> created, long now) {
        Sequence s = sequences.get(step.sequenceId());
        if (s == null) {
            if (sequences.wasReleased(step.sequenceId())) {
                throw Status.CANCELLED.withDescription("sequence " + step.sequenceId() + " was released; a step that"
                        + " arrives after its release does not start it again (a new sequence needs a new id)")
                        .asRuntimeException();
            }
            if (step.start() != 0) {
                throw invalid("sequence " + step.sequenceId() + " is unknown to this worker (never started, released"
                        + " or freed after idling), so it cannot continue at position " + step.start());
            }
            s = sequences.create(step.sequenceId(), step.maxPositions(), now);
            created.add(s);
        } else {
            int next = s.nextPosition();
            if (step.start() > next) {
                throw invalid("sequence " + s.id + " has " + next + " positions (cached and queued); a step cannot"
                        + " start at " + step.start() + " and leave a gap");
            }
            if (step.start() < next && !s.idle()) {
                throw invalid("sequence " + s.id + " has queued steps up to position " + next
                        + "; it cannot be rewound to " + step.start() + " until they are done");
            }
        }
        if (step.end() > s.cache.capacity()) {
            throw invalid("sequence " + s.id + " step [" + step.start() + ", " + step.end() + ") exceeds its "
                    + s.cache.capacity() + " reserved positions (max_positions, or the context length "
                    + contextLength + ")");
        }
        return s;
    }

    /** Drops a call's queued steps (client gone, deadline). */
    void cancel(ForwardCall call, StatusRuntimeException why) {
        lock.lock();
        try {
            failLocked(call, why);
        } finally {
            lock.unlock();
        }
    }

    /** Frees the given sequences; their queued steps fail CANCELLED. Returns how many were known. */
    int release(List<String> ids) {
        lock.lock();
        try {
            int released = 0;
            long now = System.nanoTime();
            for (String id : ids) {
                sequences.markReleased(id, now);
                Sequence s = sequences.remove(id);
                if (s != null) {
                    released++;
                    for (StepTask t : List.copyOf(s.pending)) {
                        failLocked(t.call, Status.CANCELLED.withDescription("sequence " + id + " was released")
                                .asRuntimeException());
                    }
                }
            }
            return released;
        } finally {
            lock.unlock();
        }
    }

    /** True while the sequence holds KV cache on this worker. */
    boolean holds(String sequenceId) {
        lock.lock();
        try {
            return sequences.get(sequenceId) != null;
        } finally {
            lock.unlock();
        }
    }

    Snapshot snapshot() {
        lock.lock();
        try {
            return new Snapshot(queue.size(), sequences.size(), sequences.reservedBytes(), sequences.budgetBytes(),
                    batches, tokens, maxSegmentsInBatch);
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        long waitNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(1),
                idleTimeout.toNanos() / 4));
        while (!closed) {
            Batch batch;
            lock.lock();
            try {
                batch = null;
                while (!closed) {
                    long now = System.nanoTime();
                    sequences.removeIdle(now, idleTimeout)
                            .forEach(s -> LOG.debugf("freed idle sequence %s (%d positions)", s.id, s.cache.length()));
                    sequences.forgetReleasedBefore(now - idleTimeout.toNanos());
                    sequences.recycleRetired();  // no step is running here
                    dropExpired(now);
                    batch = plan();
                    if (batch != null && gatherNanos > 0 && batch.chunks().size() < lastSegments
                            && batch.tokens() < pass.maxTokens()) {
                        // Fewer sequences than last step: the others are likely on their way back with their
                        // next token. Wait a moment for them rather than run a thin step.
                        long left = gatherNanos;
                        while (left > 0 && queuedSequences() < lastSegments) {
                            left = workArrived.awaitNanos(left);
                        }
                        dropExpired(System.nanoTime());
                        batch = plan();
                    }
                    if (batch != null) {
                        lastSegments = batch.chunks().size();
                        break;
                    }
                    workArrived.awaitNanos(waitNanos);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            if (batch == null) {
                return;
            }
            runAndComplete(batch);
        }
    }

    private void runAndComplete(Batch batch) {
        long t0 = System.nanoTime();
        RuntimeException failure = null;
        try {
            runner.run(batch);
        } catch (RuntimeException | Error e) {
            LOG.error("forward step failed", e);
            failure = Status.INTERNAL.withDescription("forward step failed: " + e).withCause(e).asRuntimeException();
        }
        long elapsed = System.nanoTime() - t0;
        lock.lock();
        try {
            batches++;
            tokens += batch.tokens();
            maxSegmentsInBatch = Math.max(maxSegmentsInBatch, batch.chunks().size());
            long now = System.nanoTime();
            for (Batch.Chunk c : batch.chunks()) {
                StepTask t = c.task();
                if (failure != null) {
                    failLocked(t.call, (StatusRuntimeException) failure);
                    continue;
                }
                t.done += c.count();
                t.sequence.lastTouchedNanos = now;
                if (t.finished()) {
                    unqueue(t);
                    t.call.taskFinished();
                }
            }
        } finally {
            lock.unlock();
        }
        if (metrics != null) {
            metrics.batch(batch.tokens(), batch.chunks().size(), elapsed);
        }
    }

    /**
     * The next batch: the head step of each sequence with work (decode-sized first, then in arrival order), as many
     * tokens as fit. Null when nothing is queued.
     */
    private Batch plan() {
        List<StepTask> heads = new ArrayList<>();
        Set<Sequence> seen = new HashSet<>();
        for (StepTask t : queue) {
            if (seen.add(t.sequence)) {
                heads.add(t);
            }
        }
        heads.sort(Comparator.comparingInt(t -> t.remaining() <= DECODE_TOKENS ? 0 : 1));
        List<Batch.Chunk> chunks = new ArrayList<>();
        int budget = pass.maxTokens();
        for (StepTask t : heads) {
            if (budget == 0) {
                break;
            }
            if (t.call.over()) {
                continue;
            }
            if (t.done == 0 && t.start() > t.sequence.cache.length()) {
                // An earlier step of the sequence failed or was cancelled part-way.
                failLocked(t.call, invalid("sequence " + t.sequence.id + " has " + t.sequence.cache.length()
                        + " positions; a step cannot start at " + t.start() + " and leave a gap"));
                continue;
            }
            int n = Math.min(t.remaining(), budget);
            chunks.add(new Batch.Chunk(t, t.done, n));
            budget -= n;
        }
        return chunks.isEmpty() ? null : new Batch(chunks);
    }

    private int queuedSequences() {
        Set<Sequence> distinct = new HashSet<>();
        for (StepTask t : queue) {
            distinct.add(t.sequence);
        }
        return distinct.size();
    }

    private void dropExpired(long now) {
        for (StepTask t : List.copyOf(queue)) {
            if (t.call.over()) {
                unqueue(t);
            } else if (t.call.expired(now)) {
                failLocked(t.call, Status.DEADLINE_EXCEEDED.withDescription("deadline passed while the step was"
                        + " queued").asRuntimeException());
            }
        }
    }

    /** Fails a call and drops its queued steps; a sequence it created and never ran is freed. */
    private void failLocked(ForwardCall call, StatusRuntimeException why) {
        call.fail(why);
        for (StepTask t : call.tasks) {
            unqueue(t);
            Sequence s = t.sequence;
            if (s.idle() && s.cache.length() == 0 && sequences.get(s.id) == s) {
                sequences.remove(s.id);
            }
        }
    }

    private void unqueue(StepTask t) {
        queue.remove(t);
        t.sequence.pending.remove(t);
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            workArrived.signalAll();
            for (StepTask t : List.copyOf(queue)) {
                t.call.fail(Status.UNAVAILABLE.withDescription("worker is shutting down").asRuntimeException());
            }
            queue.clear();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (metrics != null) metrics.unbind();
        }
    }
}
