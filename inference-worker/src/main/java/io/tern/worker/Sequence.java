package io.tern.worker;

import io.tern.engine.forward.KvCache;
import java.util.ArrayDeque;

/** One sequence living on this worker: its KV cache, its reservation and its queued steps (oldest first). */
final class Sequence {
    final String id;
    final KvCache cache;
    final long reservedBytes;
    final ArrayDeque<StepTask> pending = new ArrayDeque<>();
    long lastTouchedNanos;

    Sequence(String id, KvCache cache, long reservedBytes, long nowNanos) {
        this.id = id;
        this.cache = cache;
        this.reservedBytes = reservedBytes;
        this.lastTouchedNanos = nowNanos;
    }

    /** Position the next submitted step must start at: after the cache and every queued step. */
    int nextPosition() {
        return pending.isEmpty() ? cache.length() : pending.peekLast().end();
    }

    boolean idle() {
        return pending.isEmpty();
    }
}
