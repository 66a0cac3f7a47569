package io.tern.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Parses and validates the header of a mapped GGUF file (v2 / v3): metadata, tensor infos, data section start. */
final class GgufParser {
    static final int MAGIC = 0x46554747; // "GGUF" little-endian
    static final int MAX_DIMS = 4;
    static final int MAX_ARRAY_DEPTH = 16;
    static final long DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";

    record Header(int version, long alignment, GgufMetadata metadata, List<GgufTensorInfo> tensors, long dataStart) {
    }

    private final GgufCursor in;
    private final long fileSize;

    private GgufParser(MemorySegment file, String fileName) {
        this.in = new GgufCursor(file, fileName);
        this.fileSize = file.byteSize();
    }

    static Header parse(MemorySegment file, String fileName) throws GgufFormatException {
        return new GgufParser(file, fileName).parse();
    }

    private Header parse() throws GgufFormatException {
        int magic = in.u32("magic");
        if (magic != MAGIC) {
            throw in.error(String.format("bad magic 0x%08x, not a GGUF file", magic));
        }
        int version = in.u32("version");
        if (version == 1) {
            throw in.error("GGUF version 1 is not supported (only versions 2 and 3)");
        }
        if (version != 2 && version != 3) {
            boolean swapped = Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3;
            throw in.error("unsupported GGUF version " + Integer.toUnsignedString(version)
                    + (swapped ? " (a big-endian GGUF file, only little-endian is supported)" : ""));
        }
        long nTensors = in.count("tensor count", 8 + 4 + 4 + 8);
        long nKv = in.count("metadata key count", 8 + 4 + 1);

        GgufMetadata metadata = new GgufMetadata(in.file());
        for (long i = 0; i < nKv; i++) {
            String key = in.string("metadata key #" + i);
            if (metadata.has(key)) {
                throw in.error("duplicate metadata key '" + key + "'");
            }
            GgufValueType type = valueType(in.u32("type of key '" + key + "'"), "key '" + key + "'");
            metadata.put(key, type, value(type, "key '" + key + "'", 0));
        }
        long alignment = alignment(metadata);

        List<GgufTensorInfo> tensors = new ArrayList<>((int) Math.min(nTensors, 4096));
        Set<String> names = new HashSet<>();
        for (long i = 0; i < nTensors; i++) {
            GgufTensorInfo t = tensorInfo(i);
            if (!names.add(t.name())) {
                throw in.error("duplicate tensor '" + t.name() + "'");
            }
            tensors.add(t);
        }

        long dataStart = alignUp(in.pos(), alignment);
        long dataSize = fileSize - dataStart; // may be negative when the file ends in the padding
        for (GgufTensorInfo t : tensors) {
            if (t.offset() % alignment != 0) {
                throw in.error("tensor '" + t.name() + "' offset " + t.offset() + " is not a multiple of the alignment "
                        + alignment);
            }
            if (t.offset() > dataSize || t.byteSize() > dataSize - t.offset()) {
                throw in.error("tensor '" + t.name() + "' data (offset " + t.offset() + ", " + t.byteSize()
                        + " bytes) extends beyond the end of the file (data section holds " + Math.max(0, dataSize)
                        + " bytes)");
            }
        }
        return new Header(version, alignment, metadata, List.copyOf(tensors), dataStart);
    }

    private long alignment(GgufMetadata md) throws GgufFormatException {
        if (!md.has(ALIGNMENT_KEY)) {
            return DEFAULT_ALIGNMENT;
        }
        if (md.typeOf(ALIGNMENT_KEY) != GgufValueType.UINT32) {
            throw in.error("key '" + ALIGNMENT_KEY + "' must be UINT32, is " + md.typeOf(ALIGNMENT_KEY));
        }
        long a = Integer.toUnsignedLong((Integer) md.get(ALIGNMENT_KEY));
        if (a == 0 || Long.bitCount(a) != 1) {
            throw in.error("key '" + ALIGNMENT_KEY + "' = " + a + " is not a power of two");
        }
        return a;
    }

    private GgufTensorInfo tensorInfo(long index) throws GgufFormatException {
        String name = in.string("name of tensor #" + index);
        String what = "tensor '" + name + "'";
        int nDims = in.u32("n_dims of " + what);
        if (nDims < 0 || nDims > MAX_DIMS) {
            throw in.error(what + " has n_dims " + Integer.toUnsignedString(nDims) + ", at most " + MAX_DIMS
                    + " allowed");
        }
        long[] dims = new long[nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            dims[d] = in.u64("dims of " + what);
            if (dims[d] <= 0) {
                throw in.error(what + " has dimension " + d + " = " + Long.toUnsignedString(dims[d])
                        + " (must be positive and below 2^63)");
            }
            try {
                elements = Math.multiplyExact(elements, dims[d]);
            } catch (ArithmeticException e) {
                throw in.error(what + " element count overflows");
            }
        }
        GgmlType type = tensorType(in.u32("type of " + what), what);
        long blockSpan = type.isPerTensor() ? elements : (nDims == 0 ? 1 : dims[0]);
        if (blockSpan % type.blockSize() != 0) {
            throw in.error(what + " of type " + type + ": " + (type.isPerTensor() ? "element count " : "row length ")
                    + blockSpan + " is not a multiple of the block size " + type.blockSize());
        }
        long byteSize;
        try {
            byteSize = type.byteSize(elements);
        } catch (GgufFormatException e) {
            throw in.error(what + ": " + e.getMessage());
        }
        long offset = in.u64("offset of " + what);
        if (offset < 0) {
            throw in.error(what + " has offset " + Long.toUnsignedString(offset) + ", beyond any file");
        }
        return new GgufTensorInfo(name, type, dims, offset, byteSize);
    }

    private GgmlType tensorType(int id, String what) throws GgufFormatException {
        try {
            return GgmlType.fromId(id);
        } catch (GgufFormatException e) {
            throw in.error(what + ": " + e.getMessage());
        }
    }

    private GgufValueType valueType(int id, String what) throws GgufFormatException {
        try {
            return GgufValueType.fromId(id);
        } catch (GgufFormatException e) {
            throw in.error(what + ": " + e.getMessage());
        }
    }

    private Object value(GgufValueType type, String what, int depth) throws GgufFormatException {
        return switch (type) {
            case UINT8, INT8 -> in.u8(what);
            case UINT16, INT16 -> in.u16(what);
            case UINT32, INT32 -> in.u32(what);
            case UINT64, INT64 -> in.u64(what);
            case FLOAT32 -> in.f32(what);
            case FLOAT64 -> in.f64(what);
            case BOOL -> in.u8(what) != 0;
            case STRING -> in.string("value of " + what);
            case ARRAY -> array(what, depth + 1);
        };
    }

    private GgufArray array(String what, int depth) throws GgufFormatException {
        if (depth > MAX_ARRAY_DEPTH) {
            throw in.error(what + ": arrays nested deeper than " + MAX_ARRAY_DEPTH);
        }
        GgufValueType elem = valueType(in.u32("array element type of " + what), what);
        long count = in.count("array length of " + what, elem.minSize());
        if (count > Integer.MAX_VALUE - 16) {
            throw in.error("array length " + count + " of " + what + " is too large");
        }
        int n = (int) count;
        Object values = switch (elem) {
            case UINT8, INT8 -> bulk(ValueLayout.JAVA_BYTE, new byte[n], n, what);
            case UINT16, INT16 -> bulk(GgufCursor.U16, new short[n], n, what);
            case UINT32, INT32 -> bulk(GgufCursor.U32, new int[n], n, what);
            case UINT64, INT64 -> bulk(GgufCursor.U64, new long[n], n, what);
            case FLOAT32 -> bulk(GgufCursor.F32, new float[n], n, what);
            case FLOAT64 -> bulk(GgufCursor.F64, new double[n], n, what);
            case BOOL -> {
                boolean[] b = new boolean[n];
                for (int i = 0; i < n; i++) {
                    b[i] = in.u8(what) != 0;
                }
                yield b;
            }
            case STRING -> {
                String[] s = new String[n];
                for (int i = 0; i < n; i++) {
                    s[i] = in.string(what, i);
                }
                yield s;
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[n];
                for (int i = 0; i < n; i++) {
                    a[i] = array(what, depth + 1);
                }
                yield a;
            }
        };
        return GgufArray.of(elem, values);
    }

    private Object bulk(ValueLayout layout, Object dst, int n, String what) throws GgufFormatException {
        in.array(layout, dst, n, "array of " + what);
        return dst;
    }

    static long alignUp(long pos, long alignment) {
        return (pos + alignment - 1) / alignment * alignment;
    }
}
