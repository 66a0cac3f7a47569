package io.tern.engine.model;

import io.tern.engine.gguf.GgufFile;
import io.tern.engine.kernel.MatmulPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A loaded BitNet b1.58 model, or a shard of one: the layers [firstLayer, endLayer), plus the
 * token embedding when the shard starts at layer 0 and the final norm and lm_head when it ends
 * at the last layer. Weights stay off-heap: in the mapped file (float path) or packed into
 * kernel layout in {@code arena} (int8 path).
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
    private final Arena arena;
    private final MatmulPool pool;

    BitNetModel(BitNetConfig config, ModelOptions options, int firstLayer, int endLayer, Embedding embedding,
                Layer[] layers, MemorySegment outputNorm, Linear lmHead, GgufFile file, Arena arena,
                MatmulPool pool) {
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

    @Override
    public void close() {
        pool.close();
        arena.close();
        file.close();
    }
}
