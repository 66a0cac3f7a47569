package io.tern.engine.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only: the key/value metadata of a little-endian GGUF v3 file (header, then key, type, value),
 * enough to pull the tokenizer arrays out of the conformance model. Tensors are not read.
 */
final class GgufTestMetadata {

    private GgufTestMetadata() {}

    static Map<String, Object> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != 0x46554747) throw new IOException(file + ": not a GGUF file (magic)");
        int version = b.getInt();
        if (version != 3) throw new IOException(file + ": GGUF version " + version + ", this reader knows 3");
        b.getLong(); // tensor count
        long count = b.getLong();
        Map<String, Object> kv = new HashMap<>();
        for (long i = 0; i < count; i++) {
            String key = string(b);
            kv.put(key, value(b, b.getInt()));
        }
        return kv;
    }

    private static Object value(ByteBuffer b, int type) throws IOException {
        return switch (type) {
            case 0, 1 -> (int) b.get();           // u8, i8
            case 2, 3 -> (int) b.getShort();      // u16, i16
            case 4, 5 -> b.getInt();              // u32, i32
            case 6 -> b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> string(b);
            case 9 -> {
                int elementType = b.getInt();
                long n = b.getLong();
                List<Object> list = new ArrayList<>((int) n);
                for (long k = 0; k < n; k++) list.add(value(b, elementType));
                yield list;
            }
            case 10, 11 -> b.getLong();
            case 12 -> b.getDouble();
            default -> throw new IOException("unknown GGUF value type " + type);
        };
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[Math.toIntExact(b.getLong())];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
