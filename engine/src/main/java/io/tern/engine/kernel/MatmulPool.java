package io.tern.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The one compute pool of a model: persistent threads sized to the cores (or given) that, with the calling thread,
 * run the tasks of one job — runs of 16 rows of a matmul, or any {@link #parallelFor}. Each thread owns a contiguous
 * share of the tasks and runs it in order (its weights stream from memory as one sequential read: a decode step
 * measured ~20% faster than with chunks dealt out in turn), then steals from the others' ends. A matmul's tasks are
 * claimed in shrinking bites (half of what is left of one's own share, half of a victim's): few calls while there is
 * much to do, and a short tail when the threads meet, where fixed chunks of an eighth of a share left one thread idle
 * for half a chunk on average at the end of every job. A bite streams at least MIN_BITE_BYTES of weights per token
 * (decode: 64 KB, 2-7 tasks by row width; a prompt: one task): bites of one task (16 rows, 10 KB) at the end of each decode job
 * cost more than the finer tail saved — decode steps alternating the two in one process ran 1-4% faster with a floor
 * of 4-32 tasks and halving instead of quartering (Zen 5 VM, 9 runs of 640 tokens). No allocation or thread creation
 * per call; idle workers spin briefly (decode issues jobs back to back) and then park. Jobs are serialised: one at a
 * time; a job started from inside a running job's task runs inline on that thread.
 * With more than one thread, matrices must live in a shared (or global / auto) arena: workers read them too.
 */
public final class MatmulPool implements AutoCloseable {
    /**
     * Spin iterations (Thread.onSpinWait, a PAUSE) before parking: 0.30-0.35 ms on the Zen 5 VM (a PAUSE takes ~20 ns
     * there), so workers stay awake through a decode step's serial gaps and between its tokens.
     */
    private static final int SPIN = 1 << 14;
    /** Rows of one matmul task: the finest grain of a job's tail (kernel calls block their rows further, ROW_BLOCK in C). */
    private static final int ROW_QUANTUM = 16;
    /** A matmul bite from one's own share: this fraction of what is left of it (at least the job's minimum bite). */
    private static final int OWN_BITE_DIVISOR = 2;
    /**
     * A parallelFor bite from one's own share: this fraction of what is left of it; one task when stealing. One claim
     * per task (1,350 attention pages per decode step of 2B4T) measured 1.1% slower per decode step (3 runs).
     */
    private static final int EACH_OWN_BITE_DIVISOR = 4;
    /** Weight bytes × tokens a matmul bite covers at least (unless fewer are left). */
    private static final long MIN_BITE_BYTES = 64 << 10;
    /** Most matrices one job may carry (q, k, v). */
    public static final int MAX_GROUP = 4;
    /** Longs between two threads' range words in {@link #ranges}: 128 bytes. */
    private static final int RANGE_STRIDE = 16;

    private final TernaryKernel kernel;
    private final int threads;
    private final Thread[] workers;
    /**
     * Per thread (caller 0, workers 1..): the range of the current job's tasks it owns, claimed by CAS; thread i's word
     * at index i · RANGE_STRIDE, each on its own pair of cache lines, so a thread claiming a bite of its own range does
     * not take the line from one claiming its own (a decode step makes ~20 claims per job; on the Zen 5 VM the
     * per-job overhead stayed at 10-15 µs either way, within the noise).
     */
    private final AtomicLongArray ranges;
    /** Tasks finished in the current job: the caller waits for these, never for a worker that took nothing. */
    private final AtomicInteger done = new AtomicInteger();
    private final TaskRange matmulTasks = this::matmulTasks;
    private final TaskRange eachTask = this::eachTask;
    private volatile int generation;
    private volatile boolean closed;
    // Written by the caller under the monitor, read under it: no cost on the hot path.
    private long jobs;       // jobs run on the threads (not the inline ones)
    private long soloJobs;   // ... of which every task ran on the calling thread
    private volatile Throwable failure;

    // The job: written by the caller before it bumps generation (volatile), read by workers after.
    private TaskRange body;         // matmulTasks or eachTask (parallelFor), each claimed in shrinking bites
    private IntConsumer forBody;    // parallelFor's body
    private Thread caller;
    // A matmul job's operands (body = matmulTasks): one int8 matrix, or up to MAX_GROUP ternary ones that share x.
    private final TernaryMatrix[] tws = new TernaryMatrix[MAX_GROUP];
    private final float[][] fouts = new float[MAX_GROUP][];
    private final int[] firstTask = new int[MAX_GROUP + 1];   // member m owns tasks [firstTask[m], firstTask[m + 1])
    private int minBite;                                      // tasks: MIN_BITE_BYTES of the first member's rows
    private Int8Matrix iw;
    private Int4Matrix i4w;
    private Int8Activations x;
    private int[] iout;

    /** Tasks [from, to) of the current job. */
    @FunctionalInterface
    private interface TaskRange {
        void run(int from, int to);
    }

    /**
     * @param kernel  the kernel of {@link #matmul} and {@link #dot}; null for a pool that only runs parallelFor
     * @param threads worker count including the caller; ≤ 0 means one per available processor
     */
    public MatmulPool(TernaryKernel kernel, int threads) {
        this.kernel = kernel;
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.workers = new Thread[this.threads - 1];
        this.ranges = new AtomicLongArray(this.threads * RANGE_STRIDE);
        for (int i = 0; i < workers.length; i++) {
            int self = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("tern-compute-" + self).unstarted(() -> workLoop(self));
            workers[i].start();
        }
    }

    /** The kernel, or null for a parallelFor-only pool. */
    public TernaryKernel kernel() { return kernel; }

    public int threads() { return threads; }

    /** All rows, blocking until done: out[t * rows + r]. */
    public void matmul(TernaryMatrix w, Int8Activations x, float[] out) {
        requireKernel();
        CallShape.check(w, x, 0, w.rows(), out.length);
        runMatmul(w, null, null, x, out, null);
    }

    /**
     * Several matrices against the same activations in one job (q, k and v; gate and up): out[m][t * rows_m + r].
     * One wake-up and one wait instead of one per matrix, and the threads balance over all their rows.
     */
    public void matmul(TernaryMatrix[] w, int count, Int8Activations x, float[][] out) {
        requireKernel();
        if (count < 1 || count > MAX_GROUP) throw new IllegalArgumentException("a group holds 1.." + MAX_GROUP + " matrices, got " + count);
        for (int m = 0; m < count; m++) CallShape.check(w[m], x, 0, w[m].rows(), out[m].length);
        if (threads == 1 || insideJob()) {
            for (int m = 0; m < count; m++) kernel.matmul(w[m], x, 0, w[m].rows(), out[m]);
            return;
        }
        synchronized (this) {
            for (int m = 0; m < count; m++) {
                tws[m] = w[m];
                fouts[m] = out[m];
            }
            this.x = x;
            runMembers(count);
        }
    }

    /** All rows as integer dot products, blocking until done. */
    public void dot(TernaryMatrix w, Int8Activations x, int[] out) {
        requireKernel();
        CallShape.check(w, x, 0, w.rows(), out.length);
        runMatmul(w, null, null, x, null, out);
    }

    /** int8 rows: out[t * rows + r] = w.scale(r) · Σ_c W[r][c]·q[t][c] / x.scale(t), blocking until done. */
    public void matmul(Int8Matrix w, Int8Activations x, float[] out) {
        requireKernel();
        w.check(x, 0, w.rows(), out.length);
        runMatmul(null, w, null, x, out, null);
    }

    /**
     * 4-bit rows: out[t * rows + r] = w.scale(r) · Σ_c q[r][c]·x.q[t][c] / x.scale(t), blocking until done. Native
     * kernels only (the layout has no Vector API or scalar kernel beyond {@link Int4Matrix#dotScalar}).
     */
    public void matmul(Int4Matrix w, Int8Activations x, float[] out) {
        if (!(kernel instanceof NativeKernel)) throw new IllegalStateException("4-bit rows need the native kernels, this pool runs " + (kernel == null ? "none" : kernel.name()));
        w.check(x, 0, w.rows(), out.length);
        runMatmul(null, null, w, x, out, null);
    }

    /** int8 rows as integer dot products, blocking until done. */
    public void dot(Int8Matrix w, Int8Activations x, int[] out) {
        requireKernel();
        w.check(x, 0, w.rows(), out.length);
        runMatmul(null, w, null, x, null, out);
    }

    /**
     * Runs body.accept(i) for every i in [0, tasks) on the pool's threads and the caller, returning when all are done.
     * Tasks run concurrently in no fixed order, so they must write disjoint data. Allocates nothing per call (pass a
     * body held in a field to keep it that way).
     */
    public void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) return;
        if (threads == 1 || tasks == 1 || insideJob()) {
            for (int i = 0; i < tasks; i++) body.accept(i);
            return;
        }
        synchronized (this) {
            forBody = body;
            try {
                run(tasks, eachTask);
            } finally {
                forBody = null;
            }
        }
    }

    private void eachTask(int from, int to) {
        for (int i = from; i < to; i++) forBody.accept(i);
    }

    private void requireKernel() {
        if (kernel == null) throw new IllegalStateException("this pool has no kernel (float path): it runs parallelFor only");
    }

    /** One matrix's job: ternary tw, int8 iw or 4-bit i4w (the others null). */
    private void runMatmul(TernaryMatrix tw, Int8Matrix iw, Int4Matrix i4w, Int8Activations x, float[] fout, int[] iout) {
        int rows = tw != null ? tw.rows() : iw != null ? iw.rows() : i4w.rows();
        if (threads == 1 || insideJob()) {
            compute(tw, iw, i4w, x, 0, rows, fout, iout);
            return;
        }
        synchronized (this) {
            tws[0] = tw;
            this.iw = iw;
            this.i4w = i4w;
            this.x = x;
            fouts[0] = fout;
            this.iout = iout;
            runMembers(1);
        }
    }

    /**
     * Runs the job whose operands are set (member matrices 0..count-1), one task per ROW_QUANTUM rows of each member,
     * then clears the operands. Caller holds the monitor.
     */
    private void runMembers(int count) {
        try {
            for (int m = 0; m < count; m++) firstTask[m + 1] = firstTask[m] + Math.ceilDiv(memberRows(m), ROW_QUANTUM);
            long rowBytes = tws[0] != null ? tws[0].packedBytes() / tws[0].rows() : iw != null ? iw.rowBytes() : i4w.rowBytes();
            long taskBytes = ROW_QUANTUM * rowBytes * Math.max(1, x.tokens());
            minBite = (int) Math.max(1, Math.ceilDiv(MIN_BITE_BYTES, taskBytes));
            run(firstTask[count], matmulTasks);
        } finally {
            clearJob();
        }
    }

    private int memberRows(int m) { return tws[m] != null ? tws[m].rows() : iw != null ? iw.rows() : i4w.rows(); }

    private void clearJob() {
        java.util.Arrays.fill(tws, null);
        java.util.Arrays.fill(fouts, null);
        iw = null;
        i4w = null;
        x = null;
        iout = null;
    }

    /** Tasks [from, to) of a matmul job: one kernel call per member matrix they cover. */
    private void matmulTasks(int from, int to) {
        int m = 0;
        while (from >= firstTask[m + 1]) m++;
        for (; from < to; m++) {
            int end = Math.min(to, firstTask[m + 1]);
            int r0 = (from - firstTask[m]) * ROW_QUANTUM, r1 = Math.min(memberRows(m), (end - firstTask[m]) * ROW_QUANTUM);
            compute(tws[m], iw, i4w, x, r0, r1, fouts[m], iout);
            from = end;
        }
    }

    private void compute(TernaryMatrix tw, Int8Matrix iw, Int4Matrix i4w, Int8Activations x, int r0, int r1, float[] fout, int[] iout) {
        if (tw != null) {
            if (fout != null) kernel.matmul(tw, x, r0, r1, fout);
            else kernel.dot(tw, x, r0, r1, iout);
        } else if (iw != null) {
            if (fout != null) kernel.matmul(iw, x, r0, r1, fout);
            else kernel.dot(iw, x, r0, r1, iout);
        } else {
            ((NativeKernel) kernel).matmul(i4w, x, r0, r1, fout);  // matmul(Int4Matrix, ...) checked the kernel
        }
    }

    /** True on a worker, or on the caller while its job runs: a nested job must run inline there. */
    private boolean insideJob() {
        Thread me = Thread.currentThread();
        if (me == caller) return true;
        for (Thread w : workers) if (w == me) return true;
        return false;
    }

    private synchronized void run(int tasks, TaskRange body) {
        if (closed) throw new IllegalStateException("compute pool is closed");
        if (tasks > MAX_TASKS) throw new IllegalArgumentException(tasks + " tasks exceed the pool's limit of " + MAX_TASKS);
        this.body = body;
        this.caller = Thread.currentThread();
        int g = generation + 1;
        done.set(0);
        for (int i = 0; i < threads; i++) ranges.set(i * RANGE_STRIDE, range(g, (int) ((long) tasks * i / threads), (int) ((long) tasks * (i + 1) / threads)));
        generation = g;                     // publishes the job
        for (Thread t : workers) LockSupport.unpark(t);
        try {
            int mine = work(g, 0);
            jobs++;
            if (mine == tasks) soloJobs++;
            for (int spins = 0; done.get() < tasks; spins++) {
                if (spins < SPIN) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 50_000);
            }
        } finally {
            this.caller = null;
            this.body = null;
        }
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException e) throw e;
            if (f instanceof Error e) throw e;
            throw new IllegalStateException("compute task failed: " + f, f);
        }
    }

    /**
     * Runs tasks of job g: first the front of this thread's own range, in order (rows stream contiguously, which
     * the hardware prefetcher rewards), then — when it is empty — tasks stolen from the back of the others' ranges.
     * A matmul claims half of what is left of its own range at a time (at least its minimum bite), or half of a victim's;
     * parallelFor a quarter of its own, or one task of a victim's.
     * Returns, with the number of tasks it ran, when no range of job g has a task left, or the job is no longer g.
     */
    private int work(int g, int self) {
        TaskRange body = this.body;
        boolean guided = body == matmulTasks;
        int tag = g & TAG_MASK;
        int victim = self, ran = 0;
        while (true) {
            long w = ranges.get(victim * RANGE_STRIDE);
            if (tag(w) != tag) return ran;
            int front = front(w), back = back(w);
            if (front >= back) {
                victim = (victim + 1) % threads;
                if (victim == self) return ran;
                continue;
            }
            int bite = guided ? Math.min(back - front, Math.max(minBite, (back - front) / (victim == self ? OWN_BITE_DIVISOR : 2)))
                    : victim == self ? Math.max(1, (back - front) / EACH_OWN_BITE_DIVISOR) : 1;
            int from = victim == self ? front : back - bite, to = from + bite;
            long claimed = victim == self ? range(g, to, back) : range(g, front, from);
            if (!ranges.compareAndSet(victim * RANGE_STRIDE, w, claimed)) continue;
            try {
                body.run(from, to);
            } catch (Throwable e) {
                failure = e;
            } finally {
                done.addAndGet(bite);
                ran += bite;
            }
        }
    }

    // A range word: job tag (24 bits) | front (20 bits) | back (20 bits). The tag keeps a worker that is late from
    // an earlier job from claiming a task of the current one; it would take 2^24 jobs passing by to fool it.
    private static final int TAG_MASK = (1 << 24) - 1;
    private static final int MAX_TASKS = (1 << 20) - 1;

    private static long range(int g, int front, int back) {
        return ((long) (g & TAG_MASK) << 40) | ((long) front << 20) | back;
    }

    private static int tag(long w) { return (int) (w >>> 40); }

    private static int front(long w) { return (int) (w >>> 20) & MAX_TASKS; }

    private static int back(long w) { return (int) w & MAX_TASKS; }

    /**
     * Jobs this pool has run on its threads so far (a single-thread pool, and jobs nested in a job, run inline and are
     * not counted), and how many of them ran wholly on the calling thread: no worker claimed a task before the caller
     * had run them all — a job of a few microseconds (a decode step's attention merges), or workers parked and slow to
     * wake, or off their CPUs. Measured on the 2-vCPU Zen 5 VM: 1-4.5% of a 2B4T decode step's 182 jobs a token, and
     * spinning 8x longer before parking only took that from ~2% to ~1.3% (no faster). A share well above that is a
     * machine that does not give this pool the cores it was sized for.
     */
    public record JobCounts(long jobs, long solo) {
        /** The counts since {@code earlier}. */
        public JobCounts since(JobCounts earlier) { return new JobCounts(jobs - earlier.jobs, solo - earlier.solo); }

        /** solo / jobs (0 for no jobs). */
        public double soloShare() { return jobs == 0 ? 0 : (double) solo / jobs; }
    }

    /** The job counts so far (waits for a running job to finish). */
    public synchronized JobCounts jobCounts() { return new JobCounts(jobs, soloJobs); }

    private void workLoop(int self) {
        int seen = 0;
        while (true) {
            for (int spins = 0; generation == seen && !closed; spins++) {
                if (spins < SPIN) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = generation;
            work(seen, self);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) LockSupport.unpark(t);
        for (Thread t : workers) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
