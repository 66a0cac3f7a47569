package io.tern.engine.safetensors;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsFileTest {
    @TempDir Path dir;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void writesAndReadsBack() throws IOException {
        Path f = dir.resolve("a.safetensors");
        new SafetensorsWriter(f).metadata("format", "pt")
                .add("w", SafetensorsDtype.F32, new long[] {2, 3}, dst -> {
                    for (int i = 0; i < 6; i++) {
                        dst.set(F32, 4L * i, i * 0.5f);
                    }
                })
                .add("packed", SafetensorsDtype.U8, new long[] {5}, dst -> dst.fill((byte) 7))
                .add("scalar", SafetensorsDtype.BF16, new long[] {}, dst -> dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0,
                        (short) 0x3f80))
                .add("empty", SafetensorsDtype.I8, new long[] {0, 4}, dst -> { })
                .write();
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            assertEquals("pt", s.metadata().get("format"));
            assertEquals(4, s.tensors().size());
            SafetensorsTensor w = s.tensor("w").orElseThrow();
            assertArrayEquals(new long[] {2, 3}, w.shape());
            MemorySegment d = s.data(w);
            assertEquals(24, d.byteSize());
            assertEquals(2.5f, d.get(F32, 20));
            assertEquals(7, s.data(s.tensor("packed").orElseThrow()).get(ValueLayout.JAVA_BYTE, 4));
            assertEquals(1, s.tensor("scalar").orElseThrow().elements());
            assertEquals(0, s.tensor("empty").orElseThrow().byteSize());
            assertTrue(s.tensor("nope").isEmpty());
        }
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
    }

    private Path raw(String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve("raw.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private void assertBad(Path f, String fragment) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains(fragment), e.getMessage() + " should mention " + fragment);
        assertTrue(e.getMessage().startsWith(f.getFileName().toString()), "names the file: " + e.getMessage());
    }

    @Test
    void rejectsMalformedHeaders() throws IOException {
        assertBad(write("short.safetensors", new byte[5]), "too short");
        Path absurd = write("absurd.safetensors", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(Long.MAX_VALUE).array());
        assertBad(absurd, "header length");
        assertBad(raw("{\"a\": [", 0), "not valid JSON");
        assertBad(raw("[1, 2]", 0), "not a JSON object");
        assertBad(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "outside the data");
        assertBad(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12");
        assertBad(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
        assertBad(raw("{\"a\":{\"dtype\":\"X9\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "unknown dtype 'X9'");
        assertBad(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "bad dimension");
        assertBad(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8), "outside the data");
        assertBad(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "data_offsets");
        assertBad(raw("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2), "not valid JSON");
        assertBad(raw("{\"a\":{\"dtype\":\"U8\",\"shape\":[4611686018427387904, 4],\"data_offsets\":[0,1]}}", 1),
                "too large");
        assertBad(raw("{\"__metadata__\":{\"k\":1}}", 0), "not a string");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @Test
    void readsAShardedCheckpoint() throws IOException {
        new SafetensorsWriter(dir.resolve("m-1.safetensors"))
                .add("x", SafetensorsDtype.U8, new long[] {3}, dst -> dst.fill((byte) 1)).write();
        new SafetensorsWriter(dir.resolve("m-2.safetensors"))
                .add("y", SafetensorsDtype.U8, new long[] {2}, dst -> dst.fill((byte) 2)).write();
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE),
                "{\"metadata\":{},\"weight_map\":{\"x\":\"m-1.safetensors\",\"y\":\"m-2.safetensors\"}}");
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertEquals(java.util.List.of("x", "y"), c.names());
            assertEquals(2, c.data(c.tensor("y").orElseThrow()).get(ValueLayout.JAVA_BYTE, 1));
            assertEquals(5, c.tensorBytes());
            assertEquals(2, c.files().size());
        }
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE),
                "{\"weight_map\":{\"x\":\"m-2.safetensors\"}}");
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("does not contain it"), e.getMessage());
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE),
                "{\"weight_map\":{\"x\":\"../m-1.safetensors\"}}");
        e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("not a file in"), e.getMessage());
    }
}
