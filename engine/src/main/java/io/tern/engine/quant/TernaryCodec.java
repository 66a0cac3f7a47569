package io.tern.engine.quant;

import java.lang.foreign.MemorySegment;

/** Codecs of ternary types (TQ1_0, TQ2_0, I2_S): values are scale × code, code in {-1, 0, +1}. */
public interface TernaryCodec extends TensorCodec {
    /**
     * Ternary codes (-1/0/+1) of elements [first, first+n) into dst[off..off+n); returns the scale that applies to
     * them. Blocks that are all zero or have scale 0 are ignored when the scale is determined (their codes come back
     * 0); if the other blocks disagree on the scale, throws IllegalStateException naming the element position.
     * Returns 0 when every block in the range is ignored.
     */
    float decodeTernary(MemorySegment tensor, long total, long first, byte[] dst, int off, int n);

    /** Writes codes[off..off+total) with one scale for the whole tensor (TQ types round it to f16). */
    void encodeTernary(byte[] codes, int off, long total, float scale, MemorySegment dst);

    /**
     * Writes the blocks holding elements [first, first+n) of a tensor of {@code total} elements from
     * codes[off..off+n), with one scale; lets a large tensor be written in pieces. The whole tensor's
     * encoding is the same as {@link #encodeTernary}.
     */
    void encodeTernary(byte[] codes, int off, long total, long first, int n, float scale, MemorySegment dst);
}
