package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.safetensors.SafetensorsDtype;
import java.lang.foreign.MemorySegment;

/** A tensor of floats (any type with a codec), read in element ranges. */
record FloatSource(MemorySegment data, TensorCodec codec, long elements, String name) {

    /** A safetensors tensor of F32, F16 or BF16; other dtypes are an ImportException naming the tensor. */
    static FloatSource of(MemorySegment data, SafetensorsDtype dtype, long elements, String name)
            throws ImportException {
        GgmlType type = switch (dtype) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            default -> throw new ImportException("tensor '" + name + "' has dtype " + dtype
                    + "; expected F32, F16 or BF16");
        };
        return new FloatSource(data, TensorCodec.of(type), elements, name);
    }

    /** A GGUF tensor of a type with a float codec (F32, F16, BF16, Q8_0, ...). */
    static FloatSource of(MemorySegment data, GgmlType type, long elements, String name) throws ImportException {
        try {
            return new FloatSource(data, TensorCodec.of(type), elements, name);
        } catch (IllegalArgumentException e) {
            throw new ImportException("tensor '" + name + "': " + e.getMessage());
        }
    }

    /** Elements [first, first + n) into dst[0, n); first and n multiples of the codec's block. */
    void read(long first, float[] dst, int n) {
        codec.decode(data, elements, first, dst, 0, n);
    }

    /** Writes the whole tensor into dst as F32 or F16, in chunks. */
    void writeAs(GgmlType type, MemorySegment dst) {
        if (codec.type() == type) {
            dst.copyFrom(data);
            return;
        }
        int chunk = 1 << 16;
        float[] buf = new float[chunk];
        TensorCodec out = TensorCodec.of(type);
        int width = (int) (type.typeSize() / type.blockSize());
        for (long first = 0; first < elements; first += chunk) {
            int n = (int) Math.min(chunk, elements - first);
            read(first, buf, n);
            out.encode(buf, 0, n, dst.asSlice(first * width, (long) n * width));
        }
    }
}
