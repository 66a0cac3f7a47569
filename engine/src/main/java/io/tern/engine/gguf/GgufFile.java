package io.tern.engine.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (v2 or v3) mapped read-only into memory. Tensor data stays in the mapping: {@link #data} returns
 * slices of it, nothing is copied onto the heap. The mapping lives in a shared Arena, released by {@link #close()};
 * segments handed out before must not be used after it.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final GgufParser.Header header;
    private final Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufParser.Header header) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.header = header;
        for (GgufTensorInfo t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /** Maps and validates the file; any malformation is a {@link GgufFormatException} naming the problem. */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapping = ch.map(MapMode.READ_ONLY, 0, ch.size(), arena);
            String name = String.valueOf(path.getFileName());
            return new GgufFile(path, arena, mapping, GgufParser.parse(mapping, name));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return header.version();
    }

    public long alignment() {
        return header.alignment();
    }

    public GgufMetadata metadata() {
        return header.metadata();
    }

    /** Tensors in file order. */
    public List<GgufTensorInfo> tensors() {
        return header.tensors();
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public GgufTensorInfo requireTensor(String name) throws GgufFormatException {
        GgufTensorInfo t = byName.get(name);
        if (t == null) {
            throw new GgufFormatException("missing tensor '" + name + "' in " + path.getFileName());
        }
        return t;
    }

    /** File offset where the data section starts. */
    public long dataStart() {
        return header.dataStart();
    }

    /** A read-only slice of the mapping holding exactly the tensor's bytes. */
    public MemorySegment data(GgufTensorInfo t) {
        if (!t.equals(byName.get(t.name()))) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is not in " + path.getFileName());
        }
        return mapping.asSlice(header.dataStart() + t.offset(), t.byteSize()).asReadOnly();
    }

    /** The whole file, read-only. */
    public MemorySegment mapping() {
        return mapping.asReadOnly();
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path.getFileName() + ", v" + version() + ", " + byName.size() + " tensors]";
    }
}
