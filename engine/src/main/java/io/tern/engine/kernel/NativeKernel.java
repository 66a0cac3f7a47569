package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * C kernels (engine/src/main/c) on the {@link BlockLayout}, called through FFM: one critical
 * downcall per chunk of rows, activations and outputs passed as heap arrays, weights off-heap.
 */
public final class NativeKernel implements TernaryKernel {

    /** Instruction sets the library has an entry point for, best last. */
    public enum Isa {
        AVX2(1), AVXVNNI(2), AVX512VNNI(4);

        final int bit;

        Isa(int bit) { this.bit = bit; }

        String symbol() { return "tern_run_" + name().toLowerCase(Locale.ROOT); }

        String int8Symbol() { return "tern_i8_" + name().toLowerCase(Locale.ROOT); }

        String int4Symbol() { return "tern_i4_" + name().toLowerCase(Locale.ROOT); }
    }

    private static final FunctionDescriptor RUN = FunctionDescriptor.ofVoid(
            ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,   // w, row_bytes, blocks, rows
            JAVA_INT, JAVA_INT,                       // r0, r1
            ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT,    // q, q_stride, sumq, tokens
            ADDRESS, ADDRESS, ADDRESS, ADDRESS,       // iout, fout, ws, xs
            JAVA_INT);                                // software prefetch mode (SoftwarePrefetch.mode)

    private static final FunctionDescriptor RUN_I8 = FunctionDescriptor.ofVoid(
            ADDRESS, JAVA_LONG, JAVA_INT,             // w, row_bytes, rows
            JAVA_INT, JAVA_INT,                       // r0, r1
            ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT,    // q, q_stride, sumq, tokens
            ADDRESS, ADDRESS, ADDRESS, ADDRESS,       // iout, fout, ws, xs
            JAVA_INT);                                // software prefetch mode (SoftwarePrefetch.mode)

    private static final FunctionDescriptor RUN_F16 = FunctionDescriptor.ofVoid(
            ADDRESS, JAVA_INT, JAVA_INT,              // w, cols, rows
            JAVA_INT, JAVA_INT,                       // r0, r1
            ADDRESS, JAVA_LONG, JAVA_INT,             // x, x_stride, tokens
            ADDRESS, JAVA_INT);                       // y, software prefetch mode

    private final Isa isa;
    private final int features;
    private final MethodHandle run;
    private final MethodHandle runI8;
    private final MethodHandle runI4;   // 4-bit rows (tern_dense.c): the same arguments as runI8
    private final MethodHandle runF16;  // F16 rows × float (tern_dense.c), or null: see hasF16()
    /** How the ternary kernels prefetch weights: a resolved {@link SoftwarePrefetch} (never AUTO). */
    private volatile SoftwarePrefetch prefetch;
    /** How the dense-row kernels (int8, 4-bit, F16) prefetch weights, resolved the same way. */
    private volatile SoftwarePrefetch densePrefetch;

    private NativeKernel(Isa isa, int features, MethodHandle run, MethodHandle runI8, MethodHandle runI4, MethodHandle runF16) {
        this.isa = isa;
        this.features = features;
        this.prefetch = SoftwarePrefetch.AUTO.forTernary(this);
        this.densePrefetch = SoftwarePrefetch.AUTO.forDense(this);
        this.run = run;
        this.runI8 = runI8;
        this.runI4 = runI4;
        this.runF16 = runF16;
    }

    /**
     * Loads the library and binds the best entry point this CPU supports, or {@code forced} (an {@link Isa} name,
     * case-insensitive; null or blank for the best).
     *
     * @throws IllegalStateException naming why native kernels cannot run here
     */
    public static NativeKernel load(String forced) {
        SymbolLookup lib = NativeLibrary.open();
        Linker linker = Linker.nativeLinker();
        int features = cpuFeatures(lib);
        Isa isa = null;
        if (forced != null && !forced.isBlank()) {
            try {
                isa = Isa.valueOf(forced.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("unknown native ISA '" + forced + "', expected one of " + java.util.Arrays.toString(Isa.values()));
            }
            if ((features & isa.bit) == 0) throw new IllegalStateException("this CPU lacks " + isa + " (feature bits " + features + ")");
        } else {
            for (Isa i : Isa.values()) if ((features & i.bit) != 0) isa = i;
            if (isa == null) throw new IllegalStateException("this CPU lacks AVX2, the least the native kernels need");
        }
        MethodHandle run = linker.downcallHandle(symbol(lib, isa.symbol()), RUN, Linker.Option.critical(true));
        MethodHandle runI8 = linker.downcallHandle(symbol(lib, isa.int8Symbol()), RUN_I8, Linker.Option.critical(true));
        MethodHandle runI4 = linker.downcallHandle(symbol(lib, isa.int4Symbol()), RUN_I8, Linker.Option.critical(true));
        String f16 = isa == Isa.AVX512VNNI ? "tern_f16_avx512" : (features & FEATURE_AVX2_FMA_F16C) != 0 ? "tern_f16_avx2" : null;
        MethodHandle runF16 = f16 == null ? null : linker.downcallHandle(symbol(lib, f16), RUN_F16, Linker.Option.critical(true));
        return new NativeKernel(isa, features, run, runI8, runI4, runF16);
    }

    /** {@link #cpuFeatures} bits beyond the {@link Isa}s' own: what the attention kernels need. */
    public static final int FEATURE_AVX2_FMA_F16C = 8, FEATURE_AVX512F = 16;
    /** {@link #cpuFeatures} bit of an AMD CPU (TERN_FEATURE_AMD in tern_cpu.h): {@link SoftwarePrefetch#AUTO} picks by it. */
    public static final int FEATURE_AMD = 32;
    /** Where {@link #cpuFeatures} keeps the CPU family (bits 8..15; TERN_FAMILY_SHIFT in tern_cpu.h). */
    public static final int FAMILY_SHIFT = 8;

    /**
     * The library's CPUID probe: bit 0 AVX2, bit 1 AVX-VNNI, bit 2 AVX-512 F+BW+VNNI, bit 3 AVX2+FMA+F16C, bit 4
     * AVX-512F, bit 5 AMD, bits 8..15 the CPU family (CPUID display family: 0x19 AMD Zen 3/4, 0x1A Zen 5).
     */
    public static int cpuFeatures(SymbolLookup lib) {
        try {
            MethodHandle cpu = Linker.nativeLinker().downcallHandle(symbol(lib, "tern_cpu_features"), FunctionDescriptor.of(JAVA_INT));
            return (int) cpu.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("tern_cpu_features failed: " + e, e);
        }
    }

    public static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("libternkernels.so has no symbol " + name + " (stale build?)"));
    }

    public Isa isa() { return isa; }

    /** Whether this is an AMD CPU. */
    public boolean amd() { return (features & FEATURE_AMD) != 0; }

    /** The CPU family (CPUID display family, e.g. 0x19 for AMD Zen 3/4, 0x1A for Zen 5, 6 for most Intel cores). */
    public int family() { return (features >>> FAMILY_SHIFT) & 0xFF; }

    /** How the ternary kernels prefetch the weights they stream (initially what AUTO picks for this CPU). */
    public SoftwarePrefetch prefetch() { return prefetch; }

    /** How the int8, 4-bit and F16 row kernels prefetch the weights they stream (initially what AUTO picks). */
    public SoftwarePrefetch densePrefetch() { return densePrefetch; }

    /**
     * Sets {@link #prefetch()} and {@link #densePrefetch()} (AUTO resolved for this CPU, each kind on its own; any other
     * setting applies to both): meant for load time (a call running meanwhile may use either).
     */
    public void prefetch(SoftwarePrefetch p) {
        prefetch = p.forTernary(this);
        densePrefetch = p.forDense(this);
    }

    @Override public String name() { return "native(" + isa.name().toLowerCase(Locale.ROOT) + ")"; }

    @Override
    public TernaryMatrix pack(int rows, int cols, TernaryRows source, Arena arena) {
        return BlockLayout.pack(rows, cols, source, arena);
    }

    @Override
    public void dot(TernaryMatrix w, Int8Activations x, int r0, int r1, int[] out) {
        BlockLayout.Packed m = BlockLayout.Packed.of(w, "native");
        CallShape.check(m, x, r0, r1, out.length);
        call(m, x, r0, r1, MemorySegment.ofArray(out), MemorySegment.NULL);
    }

    @Override
    public void matmul(TernaryMatrix w, Int8Activations x, int r0, int r1, float[] out) {
        BlockLayout.Packed m = BlockLayout.Packed.of(w, "native");
        CallShape.check(m, x, r0, r1, out.length);
        call(m, x, r0, r1, MemorySegment.NULL, MemorySegment.ofArray(out));
    }

    private void call(BlockLayout.Packed m, Int8Activations x, int r0, int r1, MemorySegment iout, MemorySegment fout) {
        if (r0 == r1 || x.tokens() == 0) return;
        try {
            run.invokeExact(bare(m.data()), m.rowBytes(), m.blocks(), m.rows(), r0, r1,
                    bare(x.qSegment()), (long) x.stride(), bare(x.sumSegment()), x.tokens(),
                    iout, fout, bare(m.scaleSegment()), bare(x.scaleSegment()), prefetch.mode);
        } catch (Throwable e) {
            throw new IllegalStateException("native kernel " + isa + " failed", e);
        }
    }

    @Override
    public void dot(Int8Matrix w, Int8Activations x, int r0, int r1, int[] out) {
        w.check(x, r0, r1, out.length);
        callI8(w, x, r0, r1, MemorySegment.ofArray(out), MemorySegment.NULL);
    }

    @Override
    public void matmul(Int8Matrix w, Int8Activations x, int r0, int r1, float[] out) {
        w.check(x, r0, r1, out.length);
        callI8(w, x, r0, r1, MemorySegment.NULL, MemorySegment.ofArray(out));
    }

    /**
     * The same native address without its arena: passing a segment of a shared arena makes every
     * downcall acquire and release that arena's session with atomic updates, which two threads
     * calling at once turn into cache-line ping-pong (it topped the profile). Callers keep the
     * arenas alive for the call (the model closes its pool before its arena).
     */
    static MemorySegment bare(MemorySegment s) {
        return s.isNative() ? MemorySegment.ofAddress(s.address()) : s;
    }

    /** 4-bit rows as integer dot products: out[t · rows + r] = Σ_c q[r][c] · x.q[t][c] for rows [r0, r1). */
    public void dot(Int4Matrix w, Int8Activations x, int r0, int r1, int[] out) {
        w.check(x, r0, r1, out.length);
        callI4(w, x, r0, r1, MemorySegment.ofArray(out), MemorySegment.NULL);
    }

    /** 4-bit rows: out[t · rows + r] = w.scale(r) · Σ_c q[r][c] · x.q[t][c] / x.scale(t) for rows [r0, r1). */
    public void matmul(Int4Matrix w, Int8Activations x, int r0, int r1, float[] out) {
        w.check(x, r0, r1, out.length);
        callI4(w, x, r0, r1, MemorySegment.NULL, MemorySegment.ofArray(out));
    }

    private void callI4(Int4Matrix w, Int8Activations x, int r0, int r1, MemorySegment iout, MemorySegment fout) {
        callDense(runI4, "4-bit", w.data(), w.rowBytes(), w.rows(), w.scaleSegment(), x, r0, r1, iout, fout);
    }

    /** Whether {@link #matmulF16} runs here: AVX-512 with the AVX-512 ISA, else AVX2 with FMA and F16C. */
    public boolean hasF16() { return runF16 != null; }

    /**
     * F16 rows × float activations: y[t · rows + r] = Σ_c w[r][c] · x[t · cols + c] for rows [r0, r1) and tokens
     * [0, tokens); w holds rows × cols halves, row-major (an lm_head kept in the file's F16).
     */
    public void matmulF16(MemorySegment w, int rows, int cols, int r0, int r1, float[] x, int tokens, float[] y) {
        java.util.Objects.checkFromToIndex(r0, r1, rows);
        if (w.byteSize() < 2L * rows * cols) throw new IllegalArgumentException("F16 matrix of " + w.byteSize() + " bytes, need " + rows + "x" + cols);
        if ((long) tokens * cols > x.length || (long) tokens * rows > y.length) {
            throw new IllegalArgumentException(tokens + " tokens do not fit x[" + x.length + "] / y[" + y.length + "] for " + rows + "x" + cols);
        }
        if (runF16 == null) throw new IllegalStateException("no native F16 kernel on this CPU");
        if (r0 == r1 || tokens == 0) return;
        try {
            runF16.invokeExact(bare(w), cols, rows, r0, r1, MemorySegment.ofArray(x), (long) cols, tokens, MemorySegment.ofArray(y), densePrefetch.mode);
        } catch (Throwable e) {
            throw new IllegalStateException("native F16 kernel failed", e);
        }
    }

    private void callI8(Int8Matrix w, Int8Activations x, int r0, int r1, MemorySegment iout, MemorySegment fout) {
        callDense(runI8, "int8", w.data(), w.rowBytes(), w.rows(), w.scaleSegment(), x, r0, r1, iout, fout);
    }

    /** One call of a dense-row entry point (int8 or 4-bit rows: the same arguments). */
    private void callDense(MethodHandle h, String what, MemorySegment data, long rowBytes, int rows, MemorySegment scales,
                           Int8Activations x, int r0, int r1, MemorySegment iout, MemorySegment fout) {
        if (r0 == r1 || x.tokens() == 0) return;
        try {
            h.invokeExact(bare(data), rowBytes, rows, r0, r1,
                    bare(x.qSegment()), (long) x.stride(), bare(x.sumSegment()), x.tokens(),
                    iout, fout, bare(scales), bare(x.scaleSegment()), densePrefetch.mode);
        } catch (Throwable e) {
            throw new IllegalStateException("native " + what + " kernel " + isa + " failed", e);
        }
    }
}
