package io.tern.engine.forward;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Free KV cache pages of one forward pass, handed back by finished sequences and reused by new ones: a 2B4T page
 * of one layer is 1.3 MB of F32 keys and values, and allocating (and zeroing, and garbage-collecting) 30 of them per
 * new sequence cost more than the attention itself in batched decode. Pages keep their old contents; attention only
 * reads positions below a cache's length. Holds at most what was in use at once.
 */
public final class KvPagePool {
    private final Map<Integer, ArrayDeque<float[]>> floats = new HashMap<>();
    private final Map<Integer, ArrayDeque<short[]>> shorts = new HashMap<>();
    private final Map<Integer, ArrayDeque<int[]>> ints = new HashMap<>();
    private long reused;
    private long allocated;

    synchronized float[] floats(int length) { return take(floats, length, float[]::new); }

    synchronized short[] shorts(int length) { return take(shorts, length, short[]::new); }

    synchronized int[] ints(int length) { return take(ints, length, int[]::new); }

    synchronized void give(float[] a) {
        if (a != null) floats.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
    }

    synchronized void give(short[] a) {
        if (a != null) shorts.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
    }

    synchronized void give(int[] a) {
        if (a != null) ints.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
    }

    private <T> T take(Map<Integer, ArrayDeque<T>> free, int length, IntFunction<T> allocate) {
        T a = free.computeIfAbsent(length, n -> new ArrayDeque<>()).poll();
        if (a != null) {
            reused++;
            return a;
        }
        allocated++;
        return allocate.apply(length);
    }

    /** Page arrays handed out again instead of allocated. */
    public synchronized long reused() { return reused; }

    /** Page arrays allocated new. */
    public synchronized long allocated() { return allocated; }
}
