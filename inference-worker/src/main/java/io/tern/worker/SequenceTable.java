package io.tern.worker;

import io.grpc.Status;
import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.model.BitNetModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The sequences on this worker, with their KV reservations against the budget. Guarded by the scheduler's lock. */
final class SequenceTable {
    private final Map<String, Sequence> byId = new HashMap<>();
    private final List<Sequence> retired = new ArrayList<>();  // removed, KV pages not yet back in the pool
    /**
     * Ids released lately, oldest first, with when: a first step still in flight when its sequence's release came
     * must not start the sequence again (it would hold KV until the idle timeout freed it).
     */
    private final LinkedHashMap<String, Long> releasedIds = new LinkedHashMap<>();
    /** At most this many released ids are remembered (~10 MB); the oldest are forgotten first. */
    private static final int MAX_RELEASED_IDS = 100_000;
    private final KvBudget budget;
    private final int maxSequences;
    private final ForwardPass pass;

    SequenceTable(KvBudget budget, int maxSequences, ForwardPass pass) {
        this.budget = budget;
        this.maxSequences = maxSequences;
        this.pass = pass;
    }

    Sequence get(String id) {
        return byId.get(id);
    }

    /** Bytes a sequence of up to {@code positions} reserves. */
    long bytesFor(int positions) {
        BitNetModel m = pass.model();
        return KvCache.bytesFor(m.layerCount(), m.config().kvHeads(), m.config().headDim(), positions, m.options().kvType());
    }

    /** Creates a sequence with room for {@code positions}, or fails RESOURCE_EXHAUSTED. */
    Sequence create(String id, int positions, long nowNanos) {
        if (byId.size() >= maxSequences) {
            throw Status.RESOURCE_EXHAUSTED
                    .withDescription("sequence limit reached: " + maxSequences + " sequences hold KV cache")
                    .asRuntimeException();
        }
        long bytes = bytesFor(positions);
        if (!budget.tryReserve(bytes)) {
            throw Status.RESOURCE_EXHAUSTED
                    .withDescription("KV budget exhausted: sequence " + id + " needs " + bytes + " bytes for "
                            + positions + " positions, " + budget.free() + " of " + budget.capacity() + " are free")
                    .asRuntimeException();
        }
        Sequence s = new Sequence(id, pass.newCache(positions), bytes, nowNanos);
        byId.put(id, s);
        return s;
    }

    /** Removes a sequence and returns its reservation; null when unknown. Its KV pages wait for {@link #recycleRetired}. */
    Sequence remove(String id) {
        Sequence s = byId.remove(id);
        if (s != null) {
            budget.release(s.reservedBytes);
            retired.add(s);
        }
        return s;
    }

    /** Remembers that a client released this id (known here or not): {@link #wasReleased} holds until forgotten. */
    void markReleased(String id, long nowNanos) {
        releasedIds.remove(id);
        releasedIds.put(id, nowNanos);
        if (releasedIds.size() > MAX_RELEASED_IDS) releasedIds.pollFirstEntry();
    }

    boolean wasReleased(String id) {
        return releasedIds.containsKey(id);
    }

    /** Forgets ids released before {@code cutoffNanos}: by then no step sent before their release is still on its way. */
    void forgetReleasedBefore(long cutoffNanos) {
        for (Iterator<Long> it = releasedIds.values().iterator(); it.hasNext(); ) {
            if (it.next() - cutoffNanos >= 0) break;
            it.remove();
        }
    }

    /**
     * Gives the KV pages of removed sequences back to the pass's pool. The scheduler calls it between steps: a
     * sequence removed while a step runs may still be in that step.
     */
    void recycleRetired() {
        for (Sequence s : retired) s.cache.recycle();
        retired.clear();
    }

    /** Removes and returns the sequences with nothing queued that were last touched before {@code now - timeout}. */
    List<Sequence> removeIdle(long nowNanos, Duration timeout) {
        List<Sequence> freed = new ArrayList<>();
        for (Iterator<Sequence> it = byId.values().iterator(); it.hasNext(); ) {
            Sequence s = it.next();
            if (s.idle() && nowNanos - s.lastTouchedNanos > timeout.toNanos()) {
                it.remove();
                budget.release(s.reservedBytes);
                retired.add(s);
                freed.add(s);
            }
        }
        return freed;
    }

    Collection<Sequence> all() {
        return byId.values();
    }

    int size() {
        return byId.size();
    }

    long reservedBytes() {
        return budget.reserved();
    }

    long budgetBytes() {
        return budget.capacity();
    }
}
