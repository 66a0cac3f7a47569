package io.tern.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-built malformed headers: each must fail with a GgufFormatException naming the problem. */
class GgufValidationTest {
    @TempDir
    Path dir;

    /** magic, version, counts, then whatever {@code body} writes. */
    private Path file(int version, long nTensors, long nKv, Consumer<GgufHeaderEncoder> body, int dataBytes)
            throws Exception {
        GgufHeaderEncoder e = new GgufHeaderEncoder();
        e.u32(GgufParser.MAGIC);
        e.u32(version);
        e.u64(nTensors);
        e.u64(nKv);
        body.accept(e);
        e.padTo(32);
        byte[] bytes = Arrays.copyOf(e.bytes(), e.size() + dataBytes);
        Path p = dir.resolve("bad.gguf");
        Files.write(p, bytes);
        return p;
    }

    private static void tensor(GgufHeaderEncoder e, String name, int type, long offset, long... dims) {
        e.string(name);
        e.u32(dims.length);
        for (long d : dims) {
            e.u64(d);
        }
        e.u32(type);
        e.u64(offset);
    }

    private static String failure(Path p) {
        GgufFormatException ex = assertThrows(GgufFormatException.class, () -> GgufFile.open(p).close());
        assertTrue(ex.getMessage().startsWith("bad.gguf: "), ex.getMessage());
        return ex.getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + message + "' should mention '" + part + "'");
        }
    }

    @Test
    void validMinimalFileOpens() throws Exception {
        Path p = file(3, 1, 1, e -> {
            e.string("k");
            e.u32(GgufValueType.UINT32.id());
            e.u32(5);
            tensor(e, "t", GgmlType.F32.id(), 0, 4, 2);
        }, 32);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(5, f.metadata().getInt("k", 0));
            assertEquals(32, f.data(f.requireTensor("t")).byteSize());
        }
    }

    @Test
    void v2IsAccepted() throws Exception {
        try (GgufFile f = GgufFile.open(file(2, 0, 0, e -> { }, 0))) {
            assertEquals(2, f.version());
        }
    }

    @Test
    void badMagicAndVersions() throws Exception {
        Path p = dir.resolve("bad.gguf");
        Files.write(p, "GGML and more bytes here".getBytes());
        assertMentions(failure(p), "bad magic");
        assertMentions(failure(file(1, 0, 0, e -> { }, 0)), "version 1 is not supported");
        assertMentions(failure(file(7, 0, 0, e -> { }, 0)), "unsupported GGUF version 7");
        assertMentions(failure(file(0x03000000, 0, 0, e -> { }, 0)), "big-endian");
        Files.write(p, new byte[0]);
        assertMentions(failure(p), "truncated");
    }

    @Test
    void hugeCountsAndLengths() throws Exception {
        assertMentions(failure(file(3, Long.MAX_VALUE, 0, e -> { }, 0)), "tensor count");
        assertMentions(failure(file(3, 0, -1L, e -> { }, 0)), "metadata key count");
        assertMentions(failure(file(3, 0, 1, e -> e.u64(1L << 40), 64)), "length", "metadata key #0");
        assertMentions(failure(file(3, 0, 1, e -> {
            e.string("tokens");
            e.u32(GgufValueType.ARRAY.id());
            e.u32(GgufValueType.STRING.id());
            e.u64(1L << 36);
        }, 0)), "array length", "'tokens'");
        assertMentions(failure(file(3, 0, 1, e -> {
            e.string("s");
            e.u32(GgufValueType.STRING.id());
            e.u64(-5L);
        }, 0)), "value of key 's'");
    }

    @Test
    void badValueTypesAndDuplicates() throws Exception {
        assertMentions(failure(file(3, 0, 1, e -> {
            e.string("k");
            e.u32(13);
        }, 0)), "unknown GGUF value type id 13", "'k'");
        assertMentions(failure(file(3, 0, 2, e -> {
            for (int i = 0; i < 2; i++) {
                e.string("dup");
                e.u32(GgufValueType.BOOL.id());
                e.u8(1);
            }
        }, 0)), "duplicate metadata key 'dup'");
        assertMentions(failure(file(3, 0, 1, e -> {
            e.string("general.alignment");
            e.u32(GgufValueType.UINT32.id());
            e.u32(48);
        }, 0)), "general.alignment", "power of two");
        assertMentions(failure(file(3, 0, 1, e -> {
            e.string("general.alignment");
            e.u32(GgufValueType.UINT64.id());
            e.u64(32);
        }, 0)), "general.alignment", "UINT32");
    }

    @Test
    void deepNestingIsRejected() throws Exception {
        assertMentions(failure(file(3, 0, 1, e -> {
            e.string("deep");
            e.u32(GgufValueType.ARRAY.id());
            for (int i = 0; i < 40; i++) {
                e.u32(GgufValueType.ARRAY.id());
                e.u64(1);
            }
        }, 0)), "nested", "'deep'");
    }

    @Test
    void badTensorInfos() throws Exception {
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", 0, 0, 1, 1, 1, 1, 1), 64)), "'t'", "n_dims 5");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", 0, 0, 4, 0), 64)), "'t'", "dimension 1 = 0");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", 0, 0, -4L), 64)), "'t'", "dimension 0");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", 0, 0, 1L << 32, 1L << 32), 64)), "'t'",
                "overflows");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", -1, 0, 4), 64)), "'t'", "unknown ggml type id 4294967295");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", 33, 0, 4), 64)), "'t'", "unknown ggml type id 33");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", GgmlType.TQ2_0.id(), 0, 100, 2), 1024)), "'t'",
                "block size 256");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", GgmlType.I2_S.id(), 0, 64, 1), 1024)), "'t'",
                "block size 128");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", 0, 16, 4), 64)), "'t'", "alignment");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", 0, 0, 64), 64)), "'t'", "beyond the end");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", 0, 1L << 62, 4), 64)), "'t'", "beyond the end");
        assertMentions(failure(file(3, 1, 0, e -> tensor(e, "t", 0, -32L, 4), 64)), "'t'", "offset");
        assertMentions(failure(file(3, 2, 0, e -> {
            tensor(e, "same", 0, 0, 4);
            tensor(e, "same", 0, 32, 4);
        }, 64)), "duplicate tensor 'same'");
    }

    @Test
    void truncatedEverywhereFailsCleanly() throws Exception {
        Path good = dir.resolve("good.gguf");
        GgufWriterRoundTripTest.everyValueType(good)
                .addTensor("w", GgmlType.F32, new long[] {8, 2}, dst -> { })
                .write();
        byte[] bytes = Files.readAllBytes(good);
        Path p = dir.resolve("bad.gguf");
        for (int len = 0; len < bytes.length; len++) {
            Files.write(p, Arrays.copyOf(bytes, len));
            String m = failure(p);
            assertTrue(m.contains("truncated") || m.contains("beyond the end"), m);
        }
    }
}
