package io.tern.cli;

/**
 * Time a busy thread spends off its CPU in short bursts that /proc/stat's steal does not count: each of a few threads
 * spins reading the clock, and every gap of more than {@link #GAP_NANOS} between two reads counts as lost. On the
 * 2-vCPU VMs this was written on, a spinning thread lost 3-5% of its time in ~1,300 gaps a second of 20-40 µs each
 * while steal read 0%; a decode step's pool jobs (45-200 µs, two threads in step) absorb such gaps as waits, so the
 * bench reports them beside its figures.
 *
 * @param lostShare  the share of the probe's time its threads were away (mean over threads)
 * @param perSecond  gaps a second, per thread
 * @param meanMicros mean length of a gap
 */
record CpuHiccups(double lostShare, double perSecond, double meanMicros) {
    /** Shorter gaps are the clock read itself and the loop around it. */
    static final long GAP_NANOS = 5_000;

    /** Runs the probe on {@code threads} threads at once for {@code seconds}. */
    static CpuHiccups measure(int threads, double seconds) throws InterruptedException {
        Gaps[] gaps = new Gaps[threads];
        Thread[] ts = new Thread[threads];
        long span = (long) (seconds * 1e9);
        for (int i = 0; i < threads; i++) {
            int id = i;
            ts[i] = Thread.ofPlatform().name("tern-hiccup-probe-" + i).start(() -> gaps[id] = spin(span));
        }
        for (Thread t : ts) t.join();
        return of(gaps);
    }

    private static Gaps spin(long span) {
        Gaps g = new Gaps();
        long start = System.nanoTime(), last = start;
        while (last - start < span) {
            long now = System.nanoTime();
            g.add(now - last);
            last = now;
        }
        g.span = last - start;
        return g;
    }

    /** The probe's figures from each thread's gaps. */
    static CpuHiccups of(Gaps... threads) {
        double lost = 0, perSecond = 0;
        long count = 0, nanos = 0;
        for (Gaps g : threads) {
            lost += g.span > 0 ? (double) g.lostNanos / g.span : 0;
            perSecond += g.span > 0 ? g.count / (g.span / 1e9) : 0;
            count += g.count;
            nanos += g.lostNanos;
        }
        int n = Math.max(1, threads.length);
        return new CpuHiccups(lost / n, perSecond / n, count == 0 ? 0 : nanos / 1e3 / count);
    }

    /** One thread's gaps between clock reads longer than {@link #GAP_NANOS}, over {@code span} nanoseconds. */
    static final class Gaps {
        long count;
        long lostNanos;
        long span;

        void add(long gapNanos) {
            if (gapNanos > GAP_NANOS) {
                count++;
                lostNanos += gapNanos;
            }
        }
    }
}
