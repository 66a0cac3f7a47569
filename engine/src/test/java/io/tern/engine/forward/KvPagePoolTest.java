package io.tern.engine.forward;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvPagePoolTest {
    @Test
    void freshPagesAreZeroedAlignedAndDisjointAcrossSlabs() {
        KvPagePool pool = new KvPagePool();
        long bytes = 81_920;  // a 2B4T F16 key page: 25 fit in a 2 MB slab, so 60 need three
        List<MemorySegment> pages = new ArrayList<>();
        for (int i = 0; i < 60; i++) pages.add(pool.take(bytes));
        assertEquals(60, pool.allocated());
        assertTrue(pool.slabBytes() >= 60 * bytes, "slabs hold every page: " + pool.slabBytes());
        for (MemorySegment p : pages) {
            assertEquals(bytes, p.byteSize());
            assertEquals(0, p.address() % 64, "pages start on cache lines");
            for (long o = 0; o < bytes; o += 4096) assertEquals(0, p.get(ValueLayout.JAVA_INT, o));
        }
        // Writing each page leaves every other page as it was.
        for (int i = 0; i < pages.size(); i++) pages.get(i).fill((byte) (i + 1));
        for (int i = 0; i < pages.size(); i++) {
            MemorySegment p = pages.get(i);
            assertEquals((byte) (i + 1), p.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals((byte) (i + 1), p.get(ValueLayout.JAVA_BYTE, bytes - 1));
        }
    }

    @Test
    void givenPagesAreReusedBySizeWithTheirContents() {
        KvPagePool pool = new KvPagePool();
        MemorySegment a = pool.take(4096), b = pool.take(1280);
        a.set(ValueLayout.JAVA_INT, 0, 42);
        pool.give(a);
        pool.give(null);
        MemorySegment again = pool.take(4096);
        assertSame(a, again, "the page of that size comes back");
        assertEquals(42, again.get(ValueLayout.JAVA_INT, 0), "a reused page keeps its old contents");
        assertEquals(1, pool.reused());
        MemorySegment other = pool.take(1280);
        assertFalse(other.address() == b.address(), "b was never given back");
        assertEquals(3, pool.allocated());
    }
}
