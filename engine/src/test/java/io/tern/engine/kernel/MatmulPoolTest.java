package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MatmulPoolTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"auto", "vector", "scalar"})
    void poolEqualsOneThreadForAnyThreadCount(String choice) {
        TernaryKernel k = KernelChain.select(choice);
        SplittableRandom rnd = new SplittableRandom(17);
        try (Arena arena = Arena.ofShared();
             MatmulPool one = new MatmulPool(k, 1);
             MatmulPool two = new MatmulPool(k, 2);
             MatmulPool three = new MatmulPool(k, 3)) {
            assertEquals(2, two.threads());
            for (int rep = 0; rep < 6; rep++) {
                int rows = 1 + rnd.nextInt(300), cols = 32 * (1 + rnd.nextInt(40)), tokens = 1 + rnd.nextInt(9);
                TernaryCase c = new TernaryCase(rnd, rows, cols, tokens);
                TernaryMatrix m = k.pack(rows, cols, c.source(), arena);
                float[] direct = new float[rows * tokens];
                k.matmul(m, c.act, 0, rows, direct);
                int[] directDot = new int[rows * tokens];
                k.dot(m, c.act, 0, rows, directDot);
                for (MatmulPool pool : new MatmulPool[] {one, two, three}) {
                    float[] out = new float[rows * tokens];
                    pool.matmul(m, c.act, out);
                    assertArrayEquals(direct, out, c + " with " + pool.threads() + " threads");
                    int[] dots = new int[rows * tokens];
                    pool.dot(m, c.act, dots);
                    assertArrayEquals(directDot, dots, c + " with " + pool.threads() + " threads");
                }
                for (int t = 0; t < tokens; t++) assertEquals(c.expectedDot(t, rows - 1), directDot[t * rows + rows - 1]);
            }
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void aGroupJobEqualsItsMatricesOneByOne(int threads) {
        TernaryKernel k = KernelChain.select("auto");
        SplittableRandom rnd = new SplittableRandom(23);
        try (Arena arena = Arena.ofShared(); MatmulPool pool = new MatmulPool(k, threads)) {
            for (int rep = 0; rep < 4; rep++) {
                int cols = 32 * (1 + rnd.nextInt(20)), tokens = 1 + rnd.nextInt(6), count = 1 + rnd.nextInt(MatmulPool.MAX_GROUP);
                assertGroupJobEqualsMembers(pool, arena, rnd, count, cols, tokens, () -> 1 + rnd.nextInt(200), 1);
            }
            TernaryMatrix[] none = new TernaryMatrix[MatmulPool.MAX_GROUP + 1];
            assertThrows(IllegalArgumentException.class, () -> pool.matmul(none, none.length, null, new float[none.length][]));
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2})
    void badCallFailsAndPoolStaysUsable(int threads) {
        TernaryKernel k = new ScalarKernel();
        try (Arena arena = Arena.ofShared(); MatmulPool pool = new MatmulPool(k, threads)) {
            TernaryCase c = new TernaryCase(new SplittableRandom(2), 40, 64, 2);
            TernaryMatrix m = k.pack(40, 64, c.source(), arena);
            assertThrows(IllegalArgumentException.class, () -> pool.matmul(m, c.act, new float[10]));
            int[] out = new int[80];
            pool.dot(m, c.act, out);
            assertEquals(c.expectedDot(1, 39), out[79]);
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void parallelForRunsEveryTaskOnceAndNestsInline(int threads) {
        try (MatmulPool pool = new MatmulPool(null, threads)) {
            for (int tasks : new int[] {0, 1, 2, 7, 1000}) {
                java.util.concurrent.atomic.AtomicIntegerArray hits = new java.util.concurrent.atomic.AtomicIntegerArray(Math.max(1, tasks) * 3);
                pool.parallelFor(tasks, i -> pool.parallelFor(3, j -> hits.incrementAndGet(i * 3 + j)));
                for (int i = 0; i < tasks * 3; i++) assertEquals(1, hits.get(i), "task " + i + " of " + tasks);
            }
            RuntimeException boom = new IllegalStateException("boom");
            assertThrows(IllegalStateException.class, () -> pool.parallelFor(50, i -> { if (i == 33) throw boom; }));
            int[] after = new int[20];
            pool.parallelFor(20, i -> after[i] = i + 1);
            for (int i = 0; i < 20; i++) assertEquals(i + 1, after[i]);
            assertThrows(IllegalStateException.class, () -> pool.matmul((TernaryMatrix) null, null, new float[1]));
        }
    }

    /**
     * The pool counts its jobs and those that ran wholly on the calling thread; checked against where each task ran.
     * Half the jobs keep the caller in its first task until a worker has run one, so they can never be solo; the other
     * half have tasks too short for a worker to always catch one.
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void jobCountsTellWhichJobsRanOnTheCallerAlone(int threads) {
        try (MatmulPool pool = new MatmulPool(null, threads)) {
            MatmulPool.JobCounts before = pool.jobCounts();
            Thread caller = Thread.currentThread();
            int jobs = 400, tasks = 8, solo = 0;
            for (int j = 0; j < jobs; j++) {
                boolean waitForAWorker = threads > 1 && j % 2 == 0;
                java.util.concurrent.CountDownLatch workerRan = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.atomic.AtomicBoolean onAWorker = new java.util.concurrent.atomic.AtomicBoolean();
                pool.parallelFor(tasks, i -> {
                    if (Thread.currentThread() != caller) {
                        onAWorker.set(true);
                        workerRan.countDown();
                    } else if (waitForAWorker && i == 0) {
                        try {
                            workerRan.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
                if (waitForAWorker) assertEquals(true, onAWorker.get(), "job " + j);
                if (!onAWorker.get()) solo++;
            }
            MatmulPool.JobCounts counts = pool.jobCounts().since(before);
            assertEquals(threads == 1 ? 0 : jobs, counts.jobs(), "a one-thread pool runs every job inline");
            assertEquals(threads == 1 ? 0 : solo, counts.solo());
            pool.parallelFor(3, i -> pool.parallelFor(5, k -> { }));   // nested jobs run inline: one job counted
            assertEquals(threads == 1 ? 0 : jobs + 1, pool.jobCounts().since(before).jobs());
        }
    }

    /** Jobs of thousands of rows are claimed in shrinking bites that cross member boundaries: every row once, right. */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 3})
    void largeGroupJobsEqualTheirMatricesOneByOne(int threads) {
        TernaryKernel k = KernelChain.select("auto");
        SplittableRandom rnd = new SplittableRandom(29);
        try (Arena arena = Arena.ofShared(); MatmulPool pool = new MatmulPool(k, threads)) {
            for (int rep = 0; rep < 3; rep++) {
                int cols = 256 * (1 + rnd.nextInt(3)), tokens = 1 + rnd.nextInt(3);
                // Rows not a multiple of the 16-row task, so members meet mid-task; the same job five times over.
                assertGroupJobEqualsMembers(pool, arena, rnd, 3, cols, tokens, () -> 1000 + rnd.nextInt(4000), 5);
            }
        }
    }

    /** A group job of count random matrices (rows from the supplier) equals each member multiplied alone, calls times. */
    private static void assertGroupJobEqualsMembers(MatmulPool pool, Arena arena, SplittableRandom rnd, int count, int cols,
                                                    int tokens, java.util.function.IntSupplier rows, int calls) {
        TernaryKernel k = pool.kernel();
        TernaryMatrix[] ms = new TernaryMatrix[count];
        float[][] outs = new float[count][], want = new float[count][];
        TernaryCase first = null;
        for (int m = 0; m < count; m++) {
            int r = rows.getAsInt();
            TernaryCase c = new TernaryCase(rnd, r, cols, tokens);
            if (first == null) first = c;
            ms[m] = k.pack(r, cols, c.source(), arena);
            want[m] = new float[r * tokens];
            k.matmul(ms[m], first.act, 0, r, want[m]);
            outs[m] = new float[r * tokens];
            java.util.Arrays.fill(outs[m], Float.NaN);
        }
        for (int call = 0; call < calls; call++) {
            pool.matmul(ms, count, first.act, outs);
            for (int m = 0; m < count; m++) assertArrayEquals(want[m], outs[m], "member " + m + " of " + count + ", call " + call);
        }
    }
}
