package io.tern.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Persistent thread pool sized to the cores (or given): splits rows into chunks that the calling thread and the
 * workers claim in turn, so all threads stream weights. No allocation or thread creation per call; idle workers spin
 * briefly (decode issues matmuls back to back) and then park. Calls are serialised: one matmul at a time.
 * With more than one thread, matrices must live in a shared (or global / auto) arena: workers read them too.
 */
public final class MatmulPool implements AutoCloseable {
    /** Spin iterations before parking, about 20–50 µs. */
    private static final int SPIN = 1 << 14;
    /** Rows per chunk are a multiple of this (the kernels' row block for many tokens). */
    private static final int ROW_QUANTUM = 16;
    /** Chunks per thread: enough that a thread slowed by a neighbour does not hold up the others. */
    private static final int CHUNKS_PER_THREAD = 8;

    private final TernaryKernel kernel;
    private final int threads;
    private final Thread[] workers;
    /** generation << 32 | next chunk: a chunk is claimed by CAS, so a late worker can never take one of another job. */
    private final AtomicLong ticket = new AtomicLong();
    /** Chunks finished in the current job: the caller waits for these, never for a worker that took nothing. */
    private final AtomicInteger done = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    // The job: written by the caller before it bumps generation (volatile), read by workers after.
    private TernaryMatrix w;
    private Int8Activations x;
    private float[] fout;
    private int[] iout;
    private int chunkRows;
    private int chunks;
    private Thread caller;

    /** @param threads worker count including the caller; ≤ 0 means one per available processor */
    public MatmulPool(TernaryKernel kernel, int threads) {
        this.kernel = kernel;
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.workers = new Thread[this.threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("tern-matmul-" + (i + 1)).unstarted(this::workLoop);
            workers[i].start();
        }
    }

    public TernaryKernel kernel() { return kernel; }

    public int threads() { return threads; }

    /** All rows, blocking until done: out[t * rows + r]. */
    public synchronized void matmul(TernaryMatrix w, Int8Activations x, float[] out) {
        run(w, x, out, null);
    }

    /** All rows as integer dot products, blocking until done. */
    public synchronized void dot(TernaryMatrix w, Int8Activations x, int[] out) {
        run(w, x, null, out);
    }

    private void run(TernaryMatrix w, Int8Activations x, float[] fout, int[] iout) {
        if (closed) throw new IllegalStateException("matmul pool is closed");
        CallShape.check(w, x, 0, w.rows(), fout != null ? fout.length : iout.length);
        if (threads == 1) {
            compute(w, x, 0, w.rows(), fout, iout);
            return;
        }
        int per = Math.ceilDiv(w.rows(), threads * CHUNKS_PER_THREAD);
        this.chunkRows = Math.max(ROW_QUANTUM, Math.ceilDiv(per, ROW_QUANTUM) * ROW_QUANTUM);
        this.chunks = Math.ceilDiv(w.rows(), chunkRows);
        this.w = w;
        this.x = x;
        this.fout = fout;
        this.iout = iout;
        this.caller = Thread.currentThread();
        int g = generation + 1;
        done.set(0);
        ticket.set((long) g << 32);
        generation = g;                     // publishes the job
        for (Thread t : workers) LockSupport.unpark(t);
        work(g);
        for (int spins = 0; done.get() < chunks; spins++) {
            if (spins < SPIN) Thread.onSpinWait();
            else LockSupport.parkNanos(this, 50_000);
        }
        this.w = null;
        this.x = null;
        this.fout = null;
        this.iout = null;
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException e) throw e;
            throw new IllegalStateException("matmul failed: " + f, f);
        }
    }

    /** Claims and computes chunks of job {@code g} until none are left (or the job is no longer g). */
    private void work(int g) {
        TernaryMatrix w = this.w;
        Int8Activations x = this.x;
        float[] fout = this.fout;
        int[] iout = this.iout;
        int chunkRows = this.chunkRows, chunks = this.chunks;
        while (true) {
            long cur = ticket.get();
            int c = (int) cur;
            if ((int) (cur >>> 32) != g || c >= chunks) return;
            if (!ticket.compareAndSet(cur, cur + 1)) continue;
            try {
                int r0 = c * chunkRows;
                compute(w, x, r0, Math.min(w.rows(), r0 + chunkRows), fout, iout);
            } catch (Throwable e) {
                failure = e;
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private void compute(TernaryMatrix w, Int8Activations x, int r0, int r1, float[] fout, int[] iout) {
        if (fout != null) kernel.matmul(w, x, r0, r1, fout);
        else kernel.dot(w, x, r0, r1, iout);
    }

    private void workLoop() {
        int seen = 0;
        while (true) {
            for (int spins = 0; generation == seen && !closed; spins++) {
                if (spins < SPIN) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = generation;
            work(seen);
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
