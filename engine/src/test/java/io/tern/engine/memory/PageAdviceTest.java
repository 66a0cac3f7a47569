package io.tern.engine.memory;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageAdviceTest {
    static final long P = 4096;

    private static MemorySegment at(long address, long size) {
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    @Test
    void rangesShrinkToWholePagesAndJoinAcrossPadding() {
        List<long[]> r = PageAdvice.pageRanges(List.of(
                at(30 * P, 2 * P),                 // exactly two pages
                at(10 * P + 100, 3 * P),           // [10P+100, 13P+100)
                at(13 * P + 116, 2 * P - 200),     // after 16 bytes of padding: joined, ends at 15P-84
                at(20 * P, 100)), 32, P);          // less than a page: dropped
        assertEquals(2, r.size());
        assertArrayEquals(new long[]{11 * P, 14 * P}, r.get(0));
        assertArrayEquals(new long[]{30 * P, 32 * P}, r.get(1));
    }

    @Test
    void aGapWiderThanPaddingKeepsItsPages() {
        List<long[]> r = PageAdvice.pageRanges(List.of(at(0, 2 * P + 10), at(2 * P + 10 + 64, 2 * P)), 32, P);
        assertEquals(2, r.size(), "a 64-byte gap (a norm, say) is not padding");
        assertArrayEquals(new long[]{0, 2 * P}, r.get(0));
        assertArrayEquals(new long[]{3 * P, 4 * P}, r.get(1));
    }

    @Test
    void pageSizeIsAPowerOfTwo() {
        long p = PageAdvice.pageSize();
        assertTrue(p >= 4096 && Long.bitCount(p) == 1, "page size " + p);
    }
}
