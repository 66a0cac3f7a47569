package io.tern.engine.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/** A shared arena that counts the bytes allocated in it: what a model holds off-heap. */
final class CountingArena implements Arena {
    private final Arena arena = Arena.ofShared();
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment s = arena.allocate(byteSize, byteAlignment);
        bytes.addAndGet(byteSize);
        return s;
    }

    @Override
    public MemorySegment.Scope scope() { return arena.scope(); }

    @Override
    public void close() { arena.close(); }

    long allocatedBytes() { return bytes.get(); }
}
