package io.tern.engine.model;

import io.tern.engine.quant.TensorCodec;

import java.lang.foreign.MemorySegment;

/** Token embedding table (vocab, dim), read row by row from the mapped file. */
public final class Embedding {
    private final MemorySegment data;
    private final TensorCodec codec;
    private final int vocab;
    private final int dim;

    public Embedding(MemorySegment data, TensorCodec codec, int vocab, int dim) {
        this.data = data;
        this.codec = codec;
        this.vocab = vocab;
        this.dim = dim;
    }

    public int vocab() { return vocab; }

    /** Writes the embedding of token into dst[off..off+dim). */
    public void lookup(int token, float[] dst, int off) {
        if (token < 0 || token >= vocab)
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + vocab + ")");
        codec.decode(data, (long) vocab * dim, (long) token * dim, dst, off, dim);
    }
}
