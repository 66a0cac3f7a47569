package io.tern.engine.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightArenaTest {

    @Test
    void allocationsAreZeroedAlignedDisjointAndCounted() {
        SplittableRandom rnd = new SplittableRandom(3);
        List<MemorySegment> segments = new ArrayList<>();
        long total = 0;
        try (WeightArena arena = new WeightArena()) {
            for (int i = 0; i < 60; i++) {
                long size = i % 20 == 19 ? WeightArena.SLAB / 4 + 1 + rnd.nextInt(4096) : 1 + rnd.nextInt(3 << 20);  // some past a quarter slab
                long align = 1L << rnd.nextInt(7);
                MemorySegment s = arena.allocate(size, align);
                assertEquals(size, s.byteSize());
                assertEquals(0, s.address() % align, "alignment " + align);
                assertEquals(0, s.get(ValueLayout.JAVA_BYTE, 0));
                assertEquals(0, s.get(ValueLayout.JAVA_BYTE, size - 1));
                s.fill((byte) (i + 1));
                segments.add(s);
                total += size;
            }
            for (int i = 0; i < segments.size(); i++) {  // nothing written later overlapped an earlier allocation
                MemorySegment s = segments.get(i);
                assertEquals((byte) (i + 1), s.get(ValueLayout.JAVA_BYTE, 0));
                assertEquals((byte) (i + 1), s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1));
            }
            assertEquals(total, arena.allocatedBytes());
        }
        assertThrows(IllegalStateException.class, () -> segments.getFirst().get(ValueLayout.JAVA_BYTE, 0));
    }

    /**
     * Matrices of 2B4T's FFN in the scalar oracle's byte-a-weight layout (16.9 MiB): carved back to back from slabs,
     * touched, they take about their own size resident. As regions of their own, each was rounded up to nine huge pages
     * (1.2 MB more apiece, 28 MB for these 24).
     */
    @Test
    void matricesOfTensOfMegabytesShareSlabsInsteadOfRoundingUpEach() {
        ProcessMemory before = ProcessMemory.now();
        if (!HugePages.supported() || !before.known()) return;
        long size = 2560L * 6912, total = 0;
        try (WeightArena arena = new WeightArena()) {
            for (int i = 0; i < 24; i++) {
                arena.allocate(size, 64).fill((byte) 1);
                total += size;
            }
            long grown = ProcessMemory.now().rssAnonBytes() - before.rssAnonBytes();
            assertTrue(grown - total < 12_000_000, "resident grew by " + grown + " bytes for " + total + " bytes of matrices");
        }
    }

    @Test
    void hugePageRegionsStartOnA2MbBoundary() {
        try (WeightArena arena = new WeightArena()) {
            MemorySegment s = HugePages.allocate(5L << 20, arena);
            if (HugePages.supported()) assertEquals(0, s.address() % HugePages.HUGE_PAGE);
            assertEquals(5L << 20, s.byteSize());
            s.set(ValueLayout.JAVA_LONG, s.byteSize() - 8, 42L);
            assertEquals(42L, s.get(ValueLayout.JAVA_LONG, s.byteSize() - 8));
        }
        assertThrows(IllegalArgumentException.class, () -> HugePages.allocate(0, java.lang.foreign.Arena.global()));
        assertTrue(HugePages.HUGE_PAGE == 2L << 20);
    }
}
