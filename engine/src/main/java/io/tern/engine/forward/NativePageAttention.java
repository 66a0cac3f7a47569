package io.tern.engine.forward;

import io.tern.engine.kernel.NativeKernel;
import io.tern.engine.kernel.NativeLibrary;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@link PageAttention} in C (engine/src/main/c/tern_attention.c) for F32, F16 and Q8 caches, bit for bit the same: from
 * memory, the Java loops keep too few cache misses in flight (a page cost ~4× its compute), while the C kernel
 * streams the next task's keys and values while it computes. One critical downcall per page: the KV pages (and Q8
 * scales) are off-heap; queries, partials and scratch are heap arrays passed in place.
 */
final class NativePageAttention extends PageAttention {
    private static final System.Logger LOG = System.getLogger(NativePageAttention.class.getName());
    private static final FunctionDescriptor PAGE_CALL = FunctionDescriptor.ofVoid(
            JAVA_INT, ADDRESS, ADDRESS,                       // kind (0 F32, 1 F16, 2 Q8), kscale, vscale (Q8)
            ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,             // kpage, vpage, kh, n
            JAVA_INT, JAVA_INT, JAVA_FLOAT,                   // group, head_dim, scale
            ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS,    // q, q_off, part, p_off, sc
            ADDRESS, JAVA_INT);                               // next_kpage, next_kh
    /** The bound entry point for this CPU and the JVM's vector width, or null with the reason in {@link #UNAVAILABLE}. */
    private static final MethodHandle PAGE;
    private static final String ISA;
    private static final String UNAVAILABLE;

    static {
        MethodHandle handle = null;
        String isa = null, why = null;
        try {
            SymbolLookup lib = NativeLibrary.open();
            int features = NativeKernel.cpuFeatures(lib);
            // The C kernel must use the Java kernel's lane count: per-lane sums are what make the bits equal.
            if (LANES == 16 && (features & NativeKernel.FEATURE_AVX512F) != 0) isa = "avx512";
            else if (LANES == 8 && (features & NativeKernel.FEATURE_AVX2_FMA_F16C) != 0) isa = "avx2";
            else why = "no native kernel for " + LANES + " float lanes on this CPU (features " + features + ")";
            if (isa != null) {
                handle = Linker.nativeLinker().downcallHandle(NativeKernel.symbol(lib, "tern_attn_page_" + isa), PAGE_CALL,
                        Linker.Option.critical(true));
            }
        } catch (RuntimeException | LinkageError e) {
            why = e.getMessage();
            isa = null;
        }
        PAGE = handle;
        ISA = isa;
        UNAVAILABLE = why;
        if (handle != null) LOG.log(System.Logger.Level.INFO, "attention kernel: native({0})", isa);
        else LOG.log(System.Logger.Level.INFO, "attention kernel: vector, no native twin ({0})", why);
    }

    private NativePageAttention(int group, int headDim, int kvHeads) {
        super(group, headDim, kvHeads);
    }

    /** The native kernel, or null when this process cannot run it (the reason is logged once, at class load). */
    static NativePageAttention create(int group, int headDim, int kvHeads) {
        return PAGE == null ? null : new NativePageAttention(group, headDim, kvHeads);
    }

    /** Why the native kernel cannot run here, or null if it can. */
    static String unavailable() { return UNAVAILABLE; }

    /** The C kernel's element kinds (KV_F32, KV_F16, KV_Q8 in tern_attention.c). */
    private static int kind(KvType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q8 -> 2;
        };
    }

    @Override
    void run(KvCache cache, int layer, int kh, int page, int end, float[] q, int qOff, float[] part, int pOff, float[] sc,
             int nextKh, int nextPage) {
        KvType type = cache.type();
        int n = Math.min(KvCache.PAGE, end - page * KvCache.PAGE);
        MemorySegment ks = MemorySegment.NULL, vs = MemorySegment.NULL;
        if (type == KvType.Q8) {
            ks = cache.keyScales(layer, page);
            vs = cache.valueScales(layer, page);
        }
        MemorySegment k = cache.keys(layer, page), v = cache.values(layer, page);
        MemorySegment nextK = nextPage < 0 ? null : cache.keys(layer, nextPage);
        if (nextK == null) nextK = MemorySegment.NULL;  // none, or not stored yet
        // The C side trusts these: a bad index would corrupt memory instead of throwing.
        Objects.checkIndex(kh, kvHeads);
        Objects.checkIndex(nextKh, kvHeads);
        Objects.checkFromIndexSize(qOff, group * headDim, q.length);
        Objects.checkFromIndexSize(pOff, partialSize(), part.length);
        Objects.checkFromIndexSize(0, group * KvCache.PAGE, sc.length);
        try {
            PAGE.invokeExact(kind(type), ks, vs, k, v, kh, n, group, headDim, scale,
                    MemorySegment.ofArray(q), qOff, MemorySegment.ofArray(part), pOff, MemorySegment.ofArray(sc), nextK, nextKh);
        } catch (Throwable e) {
            throw new IllegalStateException("native page attention (" + ISA + ") failed", e);
        }
    }
}
