package io.tern.engine.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A shared arena for off-heap weights; counts the bytes allocated in it. Allocations are carved in order
 * from huge-page slabs ({@link HugePages}), so a layer's matrices sit back to back on 2 MB pages and a token's weights
 * stream as one long read; a request bigger than a quarter slab gets a region of its own. A slab is address space
 * until touched: what is resident beyond the weights is at most the partly used last huge page of each slab and of
 * each own region. With 64 MB slabs, and regions of their own from 16 MB, the scalar oracle's 2B4T weights (a byte a
 * weight: 90 FFN matrices of 16.9 MiB, each region rounded up to nine huge pages) took ~100 MB more resident than
 * their size; slabs of 256 MB carve those too (resident after load: 2,501 instead of 2,601 MB; native: 973 vs 977).
 */
public final class WeightArena implements Arena {
    static final long SLAB = 256L << 20;

    private final Arena arena = Arena.ofShared();
    private long bytes;
    private MemorySegment slab;   // the current slab
    private long used;            // bytes of it handed out

    @Override
    public synchronized MemorySegment allocate(long byteSize, long byteAlignment) {
        bytes += byteSize;
        if (byteSize > SLAB / 4 || byteAlignment > HugePages.HUGE_PAGE) {
            return byteAlignment > HugePages.HUGE_PAGE ? arena.allocate(byteSize, byteAlignment) : HugePages.allocate(byteSize, arena);
        }
        long at = slab == null ? 0 : Math.ceilDiv(used, byteAlignment) * byteAlignment;
        if (slab == null || at + byteSize > slab.byteSize()) {
            slab = HugePages.allocate(SLAB, arena);
            at = 0;
        }
        used = at + byteSize;
        return slab.asSlice(at, byteSize);
    }

    @Override
    public MemorySegment.Scope scope() { return arena.scope(); }

    @Override
    public void close() { arena.close(); }

    /** Bytes handed out (what the weights take, without slab tails). */
    public synchronized long allocatedBytes() { return bytes; }
}
