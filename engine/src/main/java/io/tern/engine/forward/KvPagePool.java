package io.tern.engine.forward;

import io.tern.engine.memory.HugePages;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The KV cache pages of one forward pass, off the Java heap: carved from 2 MB slabs on transparent huge pages (a
 * (head, page) task of attention streams two contiguous runs, and 4 KB pages cost it ~10% in page walks), handed back
 * by finished sequences and reused by new ones — allocating and zeroing 30 pages per new sequence cost more than the
 * attention itself in batched decode. Pages keep their old contents; attention only reads positions below a cache's
 * length. Holds at most what was in use at once; a slab is unmapped when the pool and its pages are unreachable.
 */
public final class KvPagePool {
    /** Pages start on cache lines: the kernels' vector loads never split one. */
    private static final long ALIGN = 64;

    private final Map<Long, ArrayDeque<MemorySegment>> free = new HashMap<>();
    private final Map<Long, Slab> carving = new HashMap<>();  // by page size: the slab new pages are cut from
    private final List<Slab> slabs = new ArrayList<>();        // all of them, alive as long as this pool
    private long reused;
    private long allocated;
    private long slabBytes;

    /** A zeroed or recycled page of {@code bytes}. */
    synchronized MemorySegment take(long bytes) {
        ArrayDeque<MemorySegment> pages = free.get(bytes);
        MemorySegment page = pages == null ? null : pages.poll();
        if (page != null) {
            reused++;
            return page;
        }
        allocated++;
        return carve(bytes);
    }

    /** Takes a page back (null is ignored). */
    synchronized void give(MemorySegment page) {
        if (page != null) free.computeIfAbsent(page.byteSize(), n -> new ArrayDeque<>()).push(page);
    }

    private MemorySegment carve(long bytes) {
        long stride = Math.ceilDiv(bytes, ALIGN) * ALIGN;
        Slab slab = carving.get(bytes);
        if (slab == null || slab.used + stride > slab.memory.byteSize()) {
            long perSlab = Math.max(1, HugePages.HUGE_PAGE / stride);
            slab = new Slab(HugePages.allocate(perSlab * stride, Arena.ofAuto()));
            slabBytes += slab.memory.byteSize();
            slabs.add(slab);
            carving.put(bytes, slab);
        }
        // A page of global scope: accesses skip the liveness check of the slab's arena (a put writes kv_dim scattered
        // elements per layer and token). The slab outlives it: this pool holds the slab, every cache holds this pool.
        MemorySegment page = MemorySegment.ofAddress(slab.memory.address() + slab.used).reinterpret(bytes);
        slab.used += stride;
        return page;
    }

    private static final class Slab {
        final MemorySegment memory;
        long used;

        Slab(MemorySegment memory) { this.memory = memory; }
    }

    /** Pages handed out again instead of allocated. */
    public synchronized long reused() { return reused; }

    /** Pages allocated new. */
    public synchronized long allocated() { return allocated; }

    /** Off-heap bytes of the slabs pages were cut from. */
    public synchronized long slabBytes() { return slabBytes; }
}
