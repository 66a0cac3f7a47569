package io.tern.engine.quant;

import io.tern.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** Converts a tensor's bytes (ggml layout of {@link #type()}) to and from floats. */
public interface TensorCodec {
    GgmlType type();

    /**
     * Decodes elements [first, first+n) of a tensor holding {@code total} elements into dst[off..off+n).
     * first and n are multiples of the block size (I2_S: 128).
     */
    void decode(MemorySegment tensor, long total, long first, float[] dst, int off, int n);

    /** Encodes src[off..off+total) (total a multiple of the block size) into dst, exactly type().byteSize(total) bytes. */
    void encode(float[] src, int off, long total, MemorySegment dst);

    /** The codec for a type; unsupported types are an IllegalArgumentException naming the type. */
    static TensorCodec of(GgmlType type) {
        return switch (type) {
            case F32 -> FloatCodecs.F32;
            case F16 -> FloatCodecs.F16;
            case BF16 -> FloatCodecs.BF16;
            case Q8_0 -> Q8_0Codec.INSTANCE;
            case TQ1_0 -> Tq1_0Codec.INSTANCE;
            case TQ2_0 -> Tq2_0Codec.INSTANCE;
            case I2_S -> I2_SCodec.INSTANCE;
            default -> throw new IllegalArgumentException("no codec for ggml type " + type + " (id " + type.id() + ")");
        };
    }

    /** The ternary codec for TQ1_0, TQ2_0 or I2_S; other types are an IllegalArgumentException naming the type. */
    static TernaryCodec ternary(GgmlType type) {
        if (of(type) instanceof TernaryCodec t) {
            return t;
        }
        throw new IllegalArgumentException("ggml type " + type + " is not a ternary type");
    }
}
