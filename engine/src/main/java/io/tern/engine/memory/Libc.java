package io.tern.engine.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The few libc calls the memory package makes (mmap, munmap, madvise with errno, the page size), linked once.
 * Off Linux, or when libc cannot be reached, {@link #available()} is false and {@link #why()} says why.
 *
 * @param mmap     null when unavailable (so are munmap and madvise)
 * @param pageSize the OS page size (4096 when it cannot be asked)
 * @param why      why the calls are unavailable; null when they are
 */
record Libc(MethodHandle mmap, MethodHandle munmap, MethodHandle madvise, StructLayout callState, VarHandle errno,
            long pageSize, String why) {
    static final Libc LINUX = link();

    private static Libc unavailable(String why) {
        return new Libc(null, null, null, null, null, 4096, why);
    }

    private static Libc link() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) return unavailable("madvise is only used on Linux, this is " + os);
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            MethodHandle pageSize = linker.downcallHandle(libc.find("getpagesize").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            MethodHandle mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            MethodHandle munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
            StructLayout state = Linker.Option.captureStateLayout();
            MethodHandle madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
                    Linker.Option.captureCallState("errno"));
            VarHandle errno = state.varHandle(StructLayout.PathElement.groupElement("errno"));
            return new Libc(mmap, munmap, madvise, state, errno, (int) pageSize.invokeExact(), null);
        } catch (Throwable e) {
            return unavailable("libc is not reachable: " + e);
        }
    }

    boolean available() { return madvise != null; }

    /** An anonymous private read-write mapping of length bytes: its address, or -1 (MAP_FAILED). */
    long mmapAnonymous(long length) {
        final int protReadWrite = 0x1 | 0x2, mapPrivateAnonymous = 0x02 | 0x20;  // Linux x86-64 / arm64 values
        try {
            return (long) mmap.invokeExact(0L, length, protReadWrite, mapPrivateAnonymous, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap downcall failed: " + e, e);
        }
    }

    /** 0 on success, else -1. */
    int munmap(long address, long length) {
        try {
            return (int) munmap.invokeExact(address, length);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap downcall failed: " + e, e);
        }
    }

    /** 0 on success, else errno. */
    int madvise(long address, long length, int advice) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(callState);
            int rc = (int) madvise.invokeExact(state, address, length, advice);
            return rc == 0 ? 0 : (int) errno.get(state, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("madvise downcall failed: " + e, e);
        }
    }
}
