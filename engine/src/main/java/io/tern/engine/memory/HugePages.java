package io.tern.engine.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Off-heap memory backed by transparent huge pages where Linux offers them ({@code madvise} mode is the common
 * default): weights are streamed once per token, and with 4 KB pages that is a page walk every 4 KB — 2 MB pages
 * made the ternary GEMV ~15% faster here. The region is mapped with {@code mmap} and advised {@code MADV_HUGEPAGE}
 * before it is first touched (an {@link Arena} zeroes what it allocates, which would fault 4 KB pages first), and
 * unmapped when the owning arena closes. Elsewhere, or if a call fails, it is a plain allocation of the arena.
 */
public final class HugePages {
    private static final System.Logger LOG = System.getLogger(HugePages.class.getName());
    public static final long HUGE_PAGE = 2L << 20;
    private static final int MADV_HUGEPAGE = 14;  // Linux x86-64 / arm64 value

    private static final Libc LIBC = Libc.LINUX;

    private HugePages() {}

    /** Whether allocations here are huge-page backed (else they fall back to the arena). */
    public static boolean supported() { return LIBC.available(); }

    /**
     * bytes of zeroed memory aligned to 2 MB, freed when {@code owner} closes. The length is rounded up to whole huge
     * pages (a partly used huge page is resident as a whole), so use it for large regions only.
     */
    public static MemorySegment allocate(long bytes, Arena owner) {
        if (bytes <= 0) throw new IllegalArgumentException("bytes must be positive, got " + bytes);
        if (!supported()) return owner.allocate(bytes, 64);
        long length = Math.ceilDiv(bytes, HUGE_PAGE) * HUGE_PAGE;
        long mapped = length + HUGE_PAGE;  // room to align the start to 2 MB
        long base = LIBC.mmapAnonymous(mapped);
        if (base == -1 || base == 0) {
            LOG.log(System.Logger.Level.WARNING, "mmap of {0} bytes failed; using ordinary pages", mapped);
            return owner.allocate(bytes, 64);
        }
        long aligned = Math.ceilDiv(base, HUGE_PAGE) * HUGE_PAGE;
        if (LIBC.madvise(aligned, length, MADV_HUGEPAGE) != 0) LOG.log(System.Logger.Level.DEBUG, "MADV_HUGEPAGE refused; ordinary pages");
        return MemorySegment.ofAddress(aligned).reinterpret(bytes, owner, s -> {
            if (LIBC.munmap(base, mapped) != 0) LOG.log(System.Logger.Level.WARNING, "munmap of {0} bytes failed", mapped);
        });
    }
}
