package io.tern.engine.memory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Drops pages of a read-only file mapping from this process's resident set: {@code madvise(MADV_DONTNEED)} on Linux,
 * through libc. On a shared file mapping this unmaps the pages from the process without touching the file or the
 * page cache; a later read of the same bytes faults them back in with the same contents. Only whole pages inside a
 * region are advised, so neighbouring data that is still in use keeps its pages.
 *
 * <p>Anywhere but Linux, or when libc cannot be reached, {@link #release} logs once and releases nothing.
 */
public final class PageAdvice {
    private static final System.Logger LOG = System.getLogger(PageAdvice.class.getName());
    /** Same value on x86-64, arm64 and the other common Linux ports. */
    private static final int MADV_DONTNEED = 4;

    private static final Libc LIBC = Libc.LINUX;

    private PageAdvice() {}

    /** Whether {@link #release} can drop pages here. */
    public static boolean supported() {
        return LIBC.available();
    }

    /** The OS page size (4096 when it cannot be asked). */
    public static long pageSize() {
        return LIBC.pageSize();
    }

    /**
     * Advises that the whole pages inside {@code regions} (slices of one read-only file mapping) are not needed now.
     * Regions closer than {@code mergeGap} bytes are joined first, so padding between adjacent tensors does not
     * keep a page alive. Returns the bytes advised; 0 when unsupported or when the call fails (logged).
     */
    public static long release(List<MemorySegment> regions, long mergeGap) {
        if (regions.isEmpty()) return 0;
        if (!supported()) {
            LOG.log(System.Logger.Level.INFO, "file pages not released: {0}", LIBC.why());
            return 0;
        }
        long released = 0;
        for (long[] r : pageRanges(regions, mergeGap, LIBC.pageSize())) {
            long len = r[1] - r[0];
            int err = LIBC.madvise(r[0], len, MADV_DONTNEED);
            if (err != 0) {
                LOG.log(System.Logger.Level.WARNING, "madvise(0x{0}, {1}, MADV_DONTNEED) failed with errno {2}; file pages stay resident",
                        Long.toHexString(r[0]), len, err);
                return released;
            }
            released += len;
        }
        return released;
    }

    /** Merged, page-aligned-inward [start, end) address ranges; empty ranges dropped. */
    static List<long[]> pageRanges(List<MemorySegment> regions, long mergeGap, long pageSize) {
        List<long[]> spans = new ArrayList<>();
        for (MemorySegment s : regions) {
            if (s.byteSize() > 0) spans.add(new long[]{s.address(), s.address() + s.byteSize()});
        }
        spans.sort(Comparator.comparingLong(a -> a[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] s : spans) {
            long[] last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && s[0] - last[1] <= mergeGap) last[1] = Math.max(last[1], s[1]);
            else merged.add(s.clone());
        }
        List<long[]> pages = new ArrayList<>();
        for (long[] m : merged) {
            long start = Math.ceilDiv(m[0], pageSize) * pageSize;
            long end = Math.floorDiv(m[1], pageSize) * pageSize;
            if (end > start) pages.add(new long[]{start, end});
        }
        return pages;
    }
}
