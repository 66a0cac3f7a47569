package io.tern.engine.model;

import java.lang.foreign.MemorySegment;

/** The weights of one transformer block. Norm vectors are F32 slices of the mapped file. */
public record Layer(
        int index,
        MemorySegment attnNorm,    // (dim)
        Linear wq,                 // (dim, dim)
        Linear wk,                 // (kv_dim, dim)
        Linear wv,                 // (kv_dim, dim)
        MemorySegment attnSubNorm, // (dim)
        Linear wo,                 // (dim, dim)
        MemorySegment ffnNorm,     // (dim)
        Linear wGate,              // (ffn, dim)
        Linear wUp,                // (ffn, dim)
        MemorySegment ffnSubNorm,  // (ffn)
        Linear wDown) {            // (dim, ffn)

    public long weightBytes() {
        return matmulBytes() + attnNorm.byteSize() + attnSubNorm.byteSize() + ffnNorm.byteSize() + ffnSubNorm.byteSize();
    }

    /** Bytes the seven projections read per token (without the norm vectors). */
    public long matmulBytes() {
        return wq.weightBytes() + wk.weightBytes() + wv.weightBytes() + wo.weightBytes()
                + wGate.weightBytes() + wUp.weightBytes() + wDown.weightBytes();
    }
}
