package io.tern.engine.model;

import io.tern.engine.memory.WeightArena;
import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufFormatException;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.kernel.Int4Matrix;
import io.tern.engine.kernel.Int8Matrix;
import io.tern.engine.kernel.KernelChain;
import io.tern.engine.kernel.MatmulPool;
import io.tern.engine.kernel.NativeKernel;
import io.tern.engine.kernel.SoftwarePrefetch;
import io.tern.engine.kernel.TernaryKernel;
import io.tern.engine.memory.PageAdvice;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.quant.TernaryCodec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * GGUF file → {@link BitNetModel}: checks every tensor against the hyper-parameters, then wires
 * the linear layers for the chosen numeric path (float: rows dequantised on use from the mapped
 * file; int8: ternary codes packed once, off-heap, into the kernel's layout).
 */
public final class ModelLoader {
    private static final System.Logger LOG = System.getLogger(ModelLoader.class.getName());
    /** Head rows whose file pages are released together while it is quantised: one pool task's (2B4T: 1.3 MB of F16). */
    private static final int HEAD_RELEASE_ROWS = Int8Matrix.ROWS_PER_TASK;
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final GgufFile file;
    private final BitNetConfig config;
    private final ModelOptions options;
    private final WeightArena arena = new WeightArena();
    /** File regions copied off-heap at load and never read whole again: their pages can be released. */
    private final List<MemorySegment> copiedFromFile = new ArrayList<>();
    /** Bytes of the file read through the mapping on every token (float path: norms, layers): they stay resident. */
    private long mappedBytesInUse;
    /** The one compute pool: ternary and int8 matmuls, float layers, attention. Its kernel is null on the float path. */
    private final MatmulPool pool;
    private Embedding embedding;          // opened by build(); closed by release() if the load fails

    private ModelLoader(GgufFile file, ModelOptions options) throws GgufFormatException {
        this.file = file;
        this.config = BitNetConfig.from(file.metadata());
        this.options = options;
        TernaryKernel kernel = options.path() == NumericPath.INT8 ? KernelChain.select(options.kernel()) : null;
        this.pool = new MatmulPool(kernel, options.effectiveThreads());
    }

    public static BitNetModel load(Path path, ModelOptions options) throws IOException {
        GgufFile file = GgufFile.open(path);
        try {
            return load(file, options);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Loads from an open file; the model takes ownership of it. */
    public static BitNetModel load(GgufFile file, ModelOptions options) throws IOException {
        ModelLoader loader = new ModelLoader(file, options);
        try {
            return loader.build();
        } catch (IOException | RuntimeException e) {
            loader.release();
            throw e;
        }
    }

    private BitNetModel build() throws IOException {
        long t0 = System.nanoTime();
        BitNetConfig c = config;
        LayerRange range = LayerRange.of(file.metadata(), c.layers());
        if (range.holdsFirst()) {
            GgufTensorInfo emb = expect("token_embd.weight", c.dim(), c.vocab());
            TensorCodec codec = TensorCodec.of(emb.type());
            // The int8 path gives file pages back after load: read rows with pread then, never through the mapping.
            embedding = options.releaseFilePages() && options.path() == NumericPath.INT8
                    ? Embedding.fromFile(file.path(), file.dataStart() + emb.offset(), emb.byteSize(), codec, c.vocab(), c.dim())
                    : Embedding.mapped(file.data(emb), codec, c.vocab(), c.dim());
        }
        Layer[] layers = new Layer[range.count()];
        for (int i = range.start(); i < range.end(); i++) layers[i - range.start()] = layer(i);
        MemorySegment outputNorm = null;
        Linear lmHead = null;
        if (range.holdsLast(c.layers())) {
            outputNorm = norm("output_norm.weight", c.dim());
            // Tied embeddings when the file has no separate output matrix.
            String head = file.tensor("output.weight").isPresent() ? "output" : "token_embd";
            GgufTensorInfo t = expect(head + ".weight", c.dim(), c.vocab());
            FloatLinear floatHead = new FloatLinear(file.data(t), TensorCodec.of(t.type()), c.vocab(), c.dim(), 1f, pool);
            // The head is the largest matrix read per token (2B4T: 657 MB of F16): int8 per row halves it, 4 bits quarter it.
            if (options.usesInt8Head()) {
                MemorySegment headData = file.data(t);
                long rowBytes = headData.byteSize() / c.vocab(); // whole blocks per row: dim is a multiple of every block size
                Int8Matrix.FloatRows rows = (r, dst) -> {
                    floatHead.row(r, dst, 0);
                    // Each pool task reads its rows in order: release them when it is done (the pages at the edges
                    // it shares with a neighbour are dropped by the final release).
                    if ((r + 1) % HEAD_RELEASE_ROWS == 0)
                        releaseEarly(headData.asSlice((r + 1L - HEAD_RELEASE_ROWS) * rowBytes, HEAD_RELEASE_ROWS * rowBytes));
                };
                Linear quantised;
                if (options.headBits() == 4 && pool.kernel() instanceof NativeKernel && Int4Matrix.fits(c.dim())) {
                    quantised = new Int4Linear(Int4Matrix.quantize(c.vocab(), c.dim(), rows, arena, pool), pool);
                } else {
                    if (options.headBits() == 4) {
                        LOG.log(System.Logger.Level.INFO, "4-bit lm_head needs the native kernels and a multiple of {0} columns (kernel {1}, dim {2}): int8 instead",
                                Int4Matrix.BLOCK_COLS, pool.kernel().name(), c.dim());
                    }
                    quantised = new Int8Linear(Int8Matrix.quantize(c.vocab(), c.dim(), rows, arena, pool), pool);
                }
                lmHead = options.headRescore() > 0 ? rescored(quantised, head, t) : quantised;
                copiedFromFile.add(headData);
            } else {
                // Kept as the file has it; an F16 head streams through the native kernel where there is one.
                lmHead = pool.kernel() instanceof NativeKernel k && k.hasF16() && t.type() == GgmlType.F16
                        ? new NativeF16Linear(file.data(t), c.vocab(), c.dim(), k, pool)
                        : floatHead;
                mappedBytesInUse += t.byteSize();
            }
        }
        BitNetModel model = new BitNetModel(c, options, range.start(), range.end(), embedding, layers,
                outputNorm, lmHead, file, arena, pool, List.copyOf(copiedFromFile), mappedBytesInUse);
        long released = options.releaseFilePages() ? model.releaseFilePages() : 0;
        if (pool.kernel() instanceof NativeKernel kernel) {
            kernel.prefetch(options.prefetch());
            LOG.log(System.Logger.Level.INFO, "software prefetch of weights: ternary rows {0}, int8/4-bit/F16 rows {1}{2}",
                    kernel.prefetch().label(), kernel.densePrefetch().label(),
                    options.prefetch() == SoftwarePrefetch.AUTO ? " (" + SoftwarePrefetch.autoReason(kernel) + ")" : "");
        }
        LOG.log(System.Logger.Level.INFO, "loaded {0}: arch {1}, layers [{2}, {3}) of {4}, dim {5}, path {6}, kernel {7}, lm_head {8}, {9} MB of weights per token, in {10} ms",
                file.path().getFileName(), c.architecture(), range.start(), range.end(), c.layers(), c.dim(),
                options.path(), model.kernelName(), headDescription(model), model.weightBytesPerToken() >> 20, (System.nanoTime() - t0) / 1_000_000);
        LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT,
                "weights resident: %.1f MB off-heap, %.1f MB read from the mapped file; %.1f MB of file pages released after load",
                model.offHeapBytes() / 1e6, mappedBytesInUse / 1e6, released / 1e6));
        return model;
    }

    private Layer layer(int i) throws GgufFormatException {
        BitNetConfig c = config;
        String p = "blk." + i + ".";
        return new Layer(i,
                norm(p + "attn_norm.weight", c.dim()),
                linear(p + "attn_q", c.dim(), c.dim()),
                linear(p + "attn_k", c.kvDim(), c.dim()),
                linear(p + "attn_v", c.kvDim(), c.dim()),
                norm(p + "attn_sub_norm.weight", c.dim()),
                linear(p + "attn_output", c.dim(), c.dim()),
                norm(p + "ffn_norm.weight", c.dim()),
                linear(p + "ffn_gate", c.ffnDim(), c.dim()),
                linear(p + "ffn_up", c.ffnDim(), c.dim()),
                norm(p + "ffn_sub_norm.weight", c.ffnDim()),
                linear(p + "ffn_down", c.dim(), c.ffnDim()));
    }

    private MemorySegment norm(String name, int n) throws GgufFormatException {
        GgufTensorInfo t = expect(name, n);
        if (t.type() != GgmlType.F32)
            throw new GgufFormatException("norm tensor '" + name + "' is " + t.type() + ", expected F32");
        MemorySegment data = file.data(t);
        if (!releasesFilePages()) {
            mappedBytesInUse += t.byteSize();
            return data;
        }
        // Copied off-heap (10 KB each): read through the mapping on every token, a norm kept the file pages around it
        // resident — and a kernel that maps a whole large page-cache folio per fault (Linux 6.18 measured) brought
        // ~2 MB of the file back per norm, 213 MB for 2B4T's 121 norms.
        MemorySegment copy = arena.allocate(data.byteSize(), 64).copyFrom(data);
        copiedFromFile.add(data);
        return copy;
    }

    /** A linear layer (rows = out, cols = in); ggml dims are [in, out]. */
    private Linear linear(String base, int rows, int cols) throws GgufFormatException {
        GgufTensorInfo t = expect(base + ".weight", cols, rows);
        float extraScale = extraScale(base);
        TensorCodec codec = TensorCodec.of(t.type());
        MemorySegment data = file.data(t);
        if (pool.kernel() == null) {
            mappedBytesInUse += data.byteSize();
            return new FloatLinear(data, codec, rows, cols, extraScale, pool);
        }
        TernaryLinear packed = new TernaryLinear(pool.kernel().pack(rows, cols, ternaryRows(t, codec, data, rows, cols, extraScale), arena), pool);
        copiedFromFile.add(data);
        releaseEarly(data);
        return packed;
    }

    /** bitnet.cpp / llama.cpp may keep the weight scale in a separate one-element F32 tensor. */
    private float extraScale(String base) throws GgufFormatException {
        Optional<GgufTensorInfo> s = file.tensor(base + ".scale");
        if (s.isEmpty()) return 1f;
        GgufTensorInfo t = s.get();
        if (t.type() != GgmlType.F32 || t.elements() != 1)
            throw new GgufFormatException("scale tensor '" + t.name() + "' must be one F32 value, is " + t.type() + " " + Arrays.toString(t.dims()));
        MemorySegment data = file.data(t);
        if (releasesFilePages()) copiedFromFile.add(data);   // read once, here
        return data.get(F32_LE, 0);
    }

    private io.tern.engine.kernel.TernaryRows ternaryRows(GgufTensorInfo t, TensorCodec codec, MemorySegment data,
                                                          int rows, int cols, float extraScale) {
        long total = (long) rows * cols;
        if (codec instanceof TernaryCodec tc) {
            return (r, dst) -> {
                try {
                    return tc.decodeTernary(data, total, (long) r * cols, dst, 0, cols) * extraScale;
                } catch (IllegalStateException e) {
                    throw new IllegalStateException("tensor '" + t.name() + "' row " + r + ": " + e.getMessage(), e);
                }
            };
        }
        return FloatTernarizer.of(data, codec, rows, cols, extraScale);
    }

    /** "int8, top 16 rescored from the float rows", "4-bit", "F16 (native)", "none (not the last shard)", ... */
    private static String headDescription(BitNetModel model) {
        Linear head = model.lmHead(), q = model.quantisedHead();
        if (head == null) return "none (not the last shard)";
        String kind = q instanceof Int4Linear ? "4-bit" : q != null ? "int8" : head instanceof NativeF16Linear ? "F16 (native)" : "float";
        return head instanceof RescoredHead r ? kind + ", top " + r.candidates() + " rescored from the float rows" : kind;
    }

    /**
     * The quantised head with its top candidates recomputed from the file's float rows: read with pread when the file's
     * pages are given back (the int8 path's default), else through the mapping. A tied head shares the embedding's
     * reader.
     */
    private RescoredHead rescored(Linear quantised, String head, GgufTensorInfo t) throws IOException {
        if (head.equals("token_embd") && embedding != null) return new RescoredHead(quantised, embedding, options.headRescore(), false, pool);
        TensorCodec codec = TensorCodec.of(t.type());
        Embedding rows = options.releaseFilePages()
                ? Embedding.fromFile(file.path(), file.dataStart() + t.offset(), t.byteSize(), codec, config.vocab(), config.dim())
                : Embedding.mapped(file.data(t), codec, config.vocab(), config.dim());
        return new RescoredHead(quantised, rows, options.headRescore(), true, pool);
    }

    /**
     * Drops a copied region's file pages right away, so the load's peak resident set stays near the final one
     * instead of file + copies. The model's release after load covers every copied region again, padding included.
     */
    private void releaseEarly(MemorySegment region) {
        if (releasesFilePages() && PageAdvice.supported()) PageAdvice.release(List.of(region), 0);
    }

    /** The int8 path copies what it reads off-heap and gives the file back; the float path reads the mapping. */
    private boolean releasesFilePages() {
        return options.releaseFilePages() && pool.kernel() != null;
    }

    private GgufTensorInfo expect(String name, long... dims) throws GgufFormatException {
        GgufTensorInfo t = file.requireTensor(name);
        if (!Arrays.equals(t.dims(), dims))
            throw new GgufFormatException("tensor '" + name + "' has shape " + Arrays.toString(t.dims())
                    + ", expected " + Arrays.toString(dims) + " for this model's hyper-parameters");
        return t;
    }

    private void release() {
        if (embedding != null) embedding.close();
        pool.close();
        arena.close();
    }
}
