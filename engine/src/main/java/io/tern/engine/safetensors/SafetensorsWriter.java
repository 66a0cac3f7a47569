package io.tern.engine.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a safetensors file: the JSON header (padded with spaces to a multiple of 8 bytes), then each tensor's
 * bytes in the order added, back to back. Tensor bodies write straight into a mapped region of the output; the file
 * appears under its name only when complete.
 */
public final class SafetensorsWriter {
    /** Fills one tensor: {@code dst} is exactly its byte size, zeroed, little-endian. */
    @FunctionalInterface
    public interface TensorBody {
        void write(MemorySegment dst) throws IOException;
    }

    private record Pending(String name, SafetensorsDtype dtype, long[] shape, long byteSize, TensorBody body) {
    }

    private final Path path;
    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter(Path path) {
        this.path = path;
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor; shape in PyTorch order (outermost first). */
    public SafetensorsWriter add(String name, SafetensorsDtype dtype, long[] shape, TensorBody body) {
        if (!names.add(name) || name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("duplicate or reserved tensor name '" + name + "'");
        }
        long n = dtype.size();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        tensors.add(new Pending(name, dtype, shape.clone(), n, body));
        return this;
    }

    public void write() throws IOException {
        byte[] header = header();
        long dataSize = 0;
        for (Pending t : tensors) {
            dataSize += t.byteSize();
        }
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer hb = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            hb.putLong(header.length).put(header).flip();
            while (hb.hasRemaining()) {
                ch.write(hb);
            }
            long at = 8 + header.length;
            for (Pending t : tensors) {
                if (t.byteSize() > 0) {
                    try (Arena arena = Arena.ofShared()) {
                        t.body().write(ch.map(MapMode.READ_WRITE, at, t.byteSize(), arena));
                    }
                }
                at += t.byteSize();
            }
            if (ch.size() < 8 + header.length + dataSize) {
                ch.write(ByteBuffer.allocate(1), 8 + header.length + dataSize - 1);
            }
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private byte[] header() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode md = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(md::put);
        }
        long offset = 0;
        for (Pending t : tensors) {
            ObjectNode e = root.putObject(t.name());
            e.put("dtype", t.dtype().name());
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            e.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json = mapper.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
