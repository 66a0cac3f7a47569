package io.tern.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Persistent thread pool sized to the cores (or given): splits rows into chunks that the calling thread and the
 * workers take in turn, so all threads stream weights. No allocation or thread creation per call; idle workers spin
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
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    // The job: written by the caller before it bumps generation (volatile), read by workers after.
    private TernaryMatrix w;
    private Int8Activations x;
    private float[] fout;
    private int[] iout;
    private int chunkRows;
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
        this.w = w;
        this.x = x;
        this.fout = fout;
        this.iout = iout;
        this.caller = Thread.currentThread();
        next.set(0);
        pending.set(workers.length);
        generation++;                       // publishes the job
        for (Thread t : workers) LockSupport.unpark(t);
        Throwable mine = null;
        try {
            work();
        } catch (Throwable e) {
            mine = e;
            next.set(Integer.MAX_VALUE / 2);
        }
        for (int spins = 0; pending.get() != 0; spins++) {  // workers must be done before the job is cleared
            if (spins < SPIN) Thread.onSpinWait();
            else LockSupport.park(this);
        }
        this.w = null;
        this.x = null;
        this.fout = null;
        this.iout = null;
        if (mine instanceof RuntimeException e) throw e;
        if (mine instanceof Error e) throw e;
        Throwable f = failure;
        if (f != null) {
            failure = null;
            throw new IllegalStateException("matmul worker failed: " + f, f);
        }
    }

    private void work() {
        int rows = w.rows();
        for (long c; (c = next.getAndIncrement()) * chunkRows < rows; ) {
            int r0 = (int) c * chunkRows;
            compute(w, x, r0, Math.min(rows, r0 + chunkRows), fout, iout);
        }
    }

    private void compute(TernaryMatrix w, Int8Activations x, int r0, int r1, float[] fout, int[] iout) {
        if (fout != null) kernel.matmul(w, x, r0, r1, fout);
        else kernel.dot(w, x, r0, r1, iout);
    }

    private void workLoop() {
        long seen = 0;
        while (true) {
            for (int spins = 0; generation == seen && !closed; spins++) {
                if (spins < SPIN) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = generation;
            try {
                work();
            } catch (Throwable e) {
                failure = e;
                next.set(Integer.MAX_VALUE / 2);  // stop handing out chunks
            }
            if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
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
