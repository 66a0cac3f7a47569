package io.tern.engine.model;

import io.tern.engine.memory.WeightArena;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.kernel.MatmulPool;
import io.tern.engine.memory.PageAdvice;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A loaded BitNet b1.58 model, or a shard of one: the layers [firstLayer, endLayer), plus the
 * token embedding when the shard starts at layer 0 and the final norm and lm_head when it ends
 * at the last layer. Weights stay off-heap: in the mapped file (float path) or packed into
 * kernel layout in {@code arena} (int8 path). Once copied off-heap, a tensor's pages of the mapped file are
 * released from the resident set ({@link #releaseFilePages()}), so on the int8 path only the off-heap copies (packed
 * weights, int8 head, norms) stay resident, and embedding rows are read with pread.
 */
public final class BitNetModel implements AutoCloseable {
    private final BitNetConfig config;
    private final ModelOptions options;
    private final int firstLayer;
    private final int endLayer;
    private final Embedding embedding;   // null unless the shard holds layer 0
    private final Layer[] layers;        // layers[i] is layer firstLayer + i
    private final MemorySegment outputNorm; // (dim), null unless the shard holds the last layer
    private final Linear lmHead;            // (vocab, dim), null likewise
    private final GgufFile file;
    private final WeightArena arena;
    private final MatmulPool pool;
    private final List<MemorySegment> copiedFromFile; // file regions only read at load
    private final long mappedBytesInUse;              // file bytes read whole on every token
    private volatile long releasedFileBytes;

    BitNetModel(BitNetConfig config, ModelOptions options, int firstLayer, int endLayer, Embedding embedding,
                Layer[] layers, MemorySegment outputNorm, Linear lmHead, GgufFile file, WeightArena arena,
                MatmulPool pool, List<MemorySegment> copiedFromFile, long mappedBytesInUse) {
        this.config = config;
        this.options = options;
        this.firstLayer = firstLayer;
        this.endLayer = endLayer;
        this.embedding = embedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.lmHead = lmHead;
        this.file = file;
        this.arena = arena;
        this.pool = pool;
        this.copiedFromFile = copiedFromFile;
        this.mappedBytesInUse = mappedBytesInUse;
    }

    public BitNetConfig config() { return config; }

    public ModelOptions options() { return options; }

    public int firstLayer() { return firstLayer; }

    public int endLayer() { return endLayer; }

    public boolean hasEmbedding() { return embedding != null; }

    public boolean hasHead() { return lmHead != null; }

    public Embedding embedding() { return embedding; }

    public Layer layer(int i) { return layers[i - firstLayer]; }

    public int layerCount() { return layers.length; }

    public MemorySegment outputNorm() { return outputNorm; }

    public Linear lmHead() { return lmHead; }

    /**
     * The quantised lm_head whose logits every token starts from ({@link Int8Linear} or {@link Int4Linear}, under the
     * rescoring if there is one), or null when the head is float or this shard has none.
     */
    public Linear quantisedHead() {
        Linear q = lmHead instanceof RescoredHead r ? r.quantised() : lmHead;
        return q instanceof Int8Linear || q instanceof Int4Linear ? q : null;
    }

    public GgufFile file() { return file; }

    /** The model's one compute pool (its kernel is null on the float path); closed with the model. */
    public MatmulPool pool() { return pool; }

    /** Name of the ternary kernel in use, or "float-reference". */
    public String kernelName() {
        return pool.kernel() == null ? "float-reference" : pool.kernel().name();
    }

    /** Weight bytes read for one decoded token (all layers plus lm_head). */
    public long weightBytesPerToken() {
        long b = 0;
        for (Layer l : layers) b += l.weightBytes();
        if (lmHead != null) b += lmHead.weightBytes() + outputNorm.byteSize();
        return b;
    }

    /** Bytes the model allocated off-heap: packed ternary weights, the int8 head, their scales (0 on the float path). */
    public long offHeapBytes() { return arena.allocatedBytes(); }

    /** Bytes of the mapped file read whole on every token (float path: norms and every linear layer; 0 on the int8 path when it releases the file). */
    public long mappedWeightBytes() { return mappedBytesInUse; }

    /** Weights that must stay in memory to run: off-heap copies plus the file regions read on every token. */
    public long residentWeightBytes() { return offHeapBytes() + mappedWeightBytes(); }

    /** Bytes of the file the model copied off-heap at load and no longer reads (their pages can be released). */
    public long copiedFileBytes() {
        long b = 0;
        for (MemorySegment s : copiedFromFile) b += s.byteSize();
        return b;
    }

    /**
     * Drops the mapped file's pages of the tensors copied off-heap at load from the resident set (the loader does
     * this unless {@link ModelOptions#releaseFilePages()} is off). Results do not change: a later read of those
     * bytes (the embedding rows of a tied head, a float reference head) faults them back in. Returns the bytes
     * released, 0 where the OS offers no way.
     */
    public long releaseFilePages() {
        // Advising an address range after the file is unmapped could zap whatever the OS mapped there since.
        if (!arena.scope().isAlive()) throw new IllegalStateException("model is closed");
        long b = PageAdvice.release(copiedFromFile, file.alignment());
        releasedFileBytes = b;
        return b;
    }

    /** Bytes released by the last {@link #releaseFilePages()}, 0 if never. */
    public long releasedFileBytes() { return releasedFileBytes; }

    @Override
    public void close() {
        if (embedding != null) embedding.close();
        if (lmHead instanceof AutoCloseable head) {
            try {
                head.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the lm_head: " + e.getMessage(), e);
            }
        }
        pool.close();
        arena.close();
        file.close();
    }
}
