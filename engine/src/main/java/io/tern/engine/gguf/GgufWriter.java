package io.tern.engine.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes a GGUF v3 file: metadata (in insertion order), tensor infos, then each tensor's data, aligned to
 * {@code general.alignment} (default 32). Tensor data is streamed: each {@link TensorBody} writes straight into a
 * mapped region of the output file, so no tensor needs to be in memory. The file is written under a temporary name
 * and moved into place when complete.
 */
public final class GgufWriter {
    /** Fills one tensor's data: {@code dst} is exactly the tensor's byte size, zeroed, writable. */
    @FunctionalInterface
    public interface TensorBody {
        void write(MemorySegment dst) throws IOException;
    }

    private record Pending(String name, GgmlType type, long[] dims, long byteSize, TensorBody body) {
    }

    private final Path path;
    private final GgufMetadata metadata;
    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    public GgufWriter(Path path) {
        this.path = path;
        this.metadata = new GgufMetadata(String.valueOf(path.getFileName()));
    }

    /** The metadata written so far (live). */
    public GgufMetadata metadata() {
        return metadata;
    }

    /** Adds or replaces a key; {@code value} is the Java type {@link GgufMetadata} documents for {@code type}. */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        metadata.put(key, type, value);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    public GgufWriter putUint8(String key, byte value) {
        return put(key, GgufValueType.UINT8, value);
    }

    public GgufWriter putInt8(String key, byte value) {
        return put(key, GgufValueType.INT8, value);
    }

    public GgufWriter putUint16(String key, short value) {
        return put(key, GgufValueType.UINT16, value);
    }

    public GgufWriter putInt16(String key, short value) {
        return put(key, GgufValueType.INT16, value);
    }

    public GgufWriter putUint32(String key, int value) {
        return put(key, GgufValueType.UINT32, value);
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, value);
    }

    public GgufWriter putUint64(String key, long value) {
        return put(key, GgufValueType.UINT64, value);
    }

    public GgufWriter putInt64(String key, long value) {
        return put(key, GgufValueType.INT64, value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    public GgufWriter putFloat64(String key, double value) {
        return put(key, GgufValueType.FLOAT64, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    public GgufWriter putArray(String key, GgufArray value) {
        return put(key, GgufValueType.ARRAY, value);
    }

    public GgufWriter putStrings(String key, List<String> values) {
        return putArray(key, GgufArray.ofStrings(values));
    }

    /** Copies every key of {@code source} (replacing keys of the same name). */
    public GgufWriter putAll(GgufMetadata source) {
        for (String k : source.keys()) {
            put(k, source.typeOf(k), source.get(k));
        }
        return this;
    }

    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /** Sets {@code general.alignment} (a power of two). */
    public GgufWriter alignment(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        }
        return putUint32(GgufParser.ALIGNMENT_KEY, alignment);
    }

    /** Adds a tensor (written in the order added); dims in ggml order, ne0 first. */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorBody body) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate tensor '" + name + "'");
        }
        if (dims.length > GgufParser.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + dims.length + " dims, at most "
                    + GgufParser.MAX_DIMS + " allowed");
        }
        long elements = 1;
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a dimension " + d);
            }
            elements = Math.multiplyExact(elements, d);
        }
        long span = type.isPerTensor() || dims.length == 0 ? elements : dims[0];
        if (span % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' of type " + type + ": " + span
                    + " is not a multiple of the block size " + type.blockSize());
        }
        long byteSize;
        try {
            byteSize = type.byteSize(elements);
        } catch (GgufFormatException e) {
            throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage(), e);
        }
        tensors.add(new Pending(name, type, dims.clone(), byteSize, body));
        return this;
    }

    /** Adds a tensor of another open file under its own name; its bytes are copied when written. */
    public GgufWriter copyTensor(GgufFile source, GgufTensorInfo t) {
        return copyTensor(source, t, t.name());
    }

    /** Adds a tensor of another open file under a new name. */
    public GgufWriter copyTensor(GgufFile source, GgufTensorInfo t, String name) {
        MemorySegment data = source.data(t);
        return addTensor(name, t.type(), t.dims(), dst -> dst.copyFrom(data));
    }

    /** Copies all metadata and all tensors of {@code source}; change keys or add tensors before {@link #write}. */
    public static GgufWriter copyOf(GgufFile source, Path path) {
        GgufWriter w = new GgufWriter(path).putAll(source.metadata());
        for (GgufTensorInfo t : source.tensors()) {
            w.copyTensor(source, t);
        }
        return w;
    }

    /** Writes the file. The tensor bodies are called in order, each once. */
    public void write() throws IOException {
        long alignment = alignment();
        long[] offsets = new long[tensors.size()];
        long dataSize = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = dataSize;
            dataSize = GgufParser.alignUp(dataSize + tensors.get(i).byteSize(), alignment);
        }
        byte[] header = header(offsets, alignment);
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer hb = ByteBuffer.wrap(header);
            while (hb.hasRemaining()) {
                ch.write(hb);
            }
            for (int i = 0; i < offsets.length; i++) {
                Pending t = tensors.get(i);
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment dst = ch.map(MapMode.READ_WRITE, header.length + offsets[i], t.byteSize(), arena);
                    t.body().write(dst);
                }
            }
            long total = header.length + dataSize;
            if (ch.size() < total) {
                ch.write(ByteBuffer.allocate(1), total - 1);
            }
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private long alignment() {
        if (!metadata.has(GgufParser.ALIGNMENT_KEY)) {
            return GgufParser.DEFAULT_ALIGNMENT;
        }
        if (metadata.typeOf(GgufParser.ALIGNMENT_KEY) != GgufValueType.UINT32) {
            throw new IllegalStateException(GgufParser.ALIGNMENT_KEY + " must be UINT32");
        }
        long a = Integer.toUnsignedLong((Integer) metadata.get(GgufParser.ALIGNMENT_KEY));
        if (a == 0 || Long.bitCount(a) != 1) {
            throw new IllegalStateException(GgufParser.ALIGNMENT_KEY + " = " + a + " is not a power of two");
        }
        return a;
    }

    private byte[] header(long[] offsets, long alignment) {
        GgufHeaderEncoder enc = new GgufHeaderEncoder();
        enc.u32(GgufParser.MAGIC);
        enc.u32(3);
        enc.u64(tensors.size());
        enc.u64(metadata.keys().size());
        for (String k : metadata.keys()) {
            enc.string(k);
            GgufValueType type = metadata.typeOf(k);
            enc.u32(type.id());
            enc.value(type, metadata.get(k));
        }
        for (int i = 0; i < offsets.length; i++) {
            Pending t = tensors.get(i);
            enc.string(t.name());
            enc.u32(t.dims().length);
            for (long d : t.dims()) {
                enc.u64(d);
            }
            enc.u32(t.type().id());
            enc.u64(offsets[i]);
        }
        enc.padTo(alignment);
        return enc.bytes();
    }
}
