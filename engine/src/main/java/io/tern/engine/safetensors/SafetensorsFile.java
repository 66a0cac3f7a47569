package io.tern.engine.safetensors;

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
 * A safetensors file mapped read-only. Tensor data stays in the mapping ({@link #data} hands out slices); the
 * mapping lives in a shared Arena released by {@link #close()}, after which those slices must not be used.
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final SafetensorsHeader.Parsed header;
    private final Map<String, SafetensorsTensor> byName = new LinkedHashMap<>();

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping, SafetensorsHeader.Parsed header) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.header = header;
        for (SafetensorsTensor t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /** Maps and validates the file; any malformation is a {@link SafetensorsFormatException} naming it. */
    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapping = ch.map(MapMode.READ_ONLY, 0, ch.size(), arena);
            return new SafetensorsFile(path, arena, mapping,
                    SafetensorsHeader.parse(mapping, String.valueOf(path.getFileName())));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public List<SafetensorsTensor> tensors() {
        return header.tensors();
    }

    public Optional<SafetensorsTensor> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The {@code __metadata__} strings (empty if absent). */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** A read-only slice of the mapping holding exactly the tensor's bytes (little-endian). */
    public MemorySegment data(SafetensorsTensor t) {
        if (!t.equals(byName.get(t.name()))) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is not in " + path.getFileName());
        }
        return mapping.asSlice(header.dataStart() + t.begin(), t.byteSize()).asReadOnly();
    }

    public long byteSize() {
        return mapping.byteSize();
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path.getFileName() + ", " + byName.size() + " tensors]";
    }
}
