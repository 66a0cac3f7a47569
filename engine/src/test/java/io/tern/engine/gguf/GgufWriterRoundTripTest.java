package io.tern.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterRoundTripTest {
    @TempDir
    Path dir;

    static GgufWriter everyValueType(Path path) {
        GgufArray inner1 = GgufArray.ofInt32(1, -2, 3);
        GgufArray inner2 = GgufArray.ofInt32();
        GgufArray nested = GgufArray.of(GgufValueType.ARRAY, new GgufArray[] {inner1, inner2,
                GgufArray.of(GgufValueType.ARRAY, new GgufArray[] {GgufArray.ofStrings(List.of("deep", "é"))})});
        return new GgufWriter(path)
                .putString("general.architecture", "test")
                .putUint8("u8", (byte) 0xff)
                .putInt8("i8", (byte) -5)
                .putUint16("u16", (short) 0xfffe)
                .putInt16("i16", (short) -300)
                .putUint32("u32", 0xfffffff0)
                .putInt32("i32", -123456)
                .putUint64("u64", -1L)
                .putInt64("i64", Long.MIN_VALUE)
                .putFloat32("f32", 1.5f)
                .putFloat64("f64", Math.PI)
                .putBool("t", true)
                .putBool("f", false)
                .putString("empty", "")
                .putString("unicode", "Ġhello ✓ 日本")
                .putArray("a.u8", GgufArray.of(GgufValueType.UINT8, new byte[] {0, 1, (byte) 255}))
                .putArray("a.i8", GgufArray.of(GgufValueType.INT8, new byte[] {-1}))
                .putArray("a.u16", GgufArray.of(GgufValueType.UINT16, new short[] {1, (short) 65535}))
                .putArray("a.i16", GgufArray.of(GgufValueType.INT16, new short[] {-1, 2}))
                .putArray("a.u32", GgufArray.of(GgufValueType.UINT32, new int[] {7, 8}))
                .putArray("a.i32", GgufArray.ofInt32(-7, 8))
                .putArray("a.u64", GgufArray.of(GgufValueType.UINT64, new long[] {1L << 40}))
                .putArray("a.i64", GgufArray.of(GgufValueType.INT64, new long[] {-(1L << 40)}))
                .putArray("a.f32", GgufArray.ofFloat32(0.25f, -1e30f, Float.NaN))
                .putArray("a.f64", GgufArray.of(GgufValueType.FLOAT64, new double[] {1e300}))
                .putArray("a.bool", GgufArray.of(GgufValueType.BOOL, new boolean[] {true, false, true}))
                .putArray("a.str", GgufArray.ofStrings(List.of("a", "", "Ā")))
                .putArray("a.empty", GgufArray.ofFloat32())
                .putArray("a.nested", nested);
    }

    @Test
    void metadataOfEveryTypeRoundTrips() throws Exception {
        Path p = dir.resolve("meta.gguf");
        GgufWriter w = everyValueType(p);
        w.write();
        try (GgufFile f = GgufFile.open(p)) {
            GgufMetadata md = f.metadata();
            assertEquals(List.copyOf(w.metadata().keys()), List.copyOf(md.keys()));
            for (String k : md.keys()) {
                assertEquals(w.metadata().typeOf(k), md.typeOf(k), k);
                assertEquals(w.metadata().get(k), md.get(k), k);
            }
            assertEquals(255, md.getInt("u8", 0));
            assertEquals(-5, md.getInt("i8", 0));
            assertEquals(65534, md.getInt("u16", 0));
            assertEquals(0xfffffff0L, md.getLong("u32", 0));
            assertThrows(UncheckedIOException.class, () -> md.getInt("u32", 0));
            assertThrows(UncheckedIOException.class, () -> md.getLong("u64", 0));
            assertThrows(UncheckedIOException.class, () -> md.getInt("unicode", 0));
            assertThrows(GgufFormatException.class, () -> md.requireInt("f32"));
            assertEquals(42, md.getInt("absent", 42));
            assertEquals((float) Math.PI, md.getFloat("f64", 0));
            assertEquals(-123456f, md.getFloat("i32", 0));
            assertArrayEquals(new int[] {7, 8}, md.getIntArray("a.u32"));
            assertArrayEquals(new int[] {1, 65535}, md.getIntArray("a.u16"));
            assertArrayEquals(new float[] {-7, 8}, md.getFloatArray("a.i32"));
            assertEquals(List.of("a", "", "Ā"), md.getStringArray("a.str"));
            assertEquals(List.of(), md.getStringArray("absent"));
            assertThrows(UncheckedIOException.class, () -> md.getStringArray("a.i32"));
            GgufArray nested = md.getArray("a.nested");
            assertEquals(GgufValueType.ARRAY, nested.elementType());
            assertEquals(-2, nested.getArray(0).getLong(1));
            assertEquals("é", nested.getArray(2).getArray(0).getString(1));
            assertEquals(0, f.tensors().size());
        }
    }

    @Test
    void tensorsAreAlignedAndRoundTrip() throws Exception {
        Path p = dir.resolve("tensors.gguf");
        Random rnd = new Random(7);
        byte[] a = new byte[3 * 34];
        byte[] b = new byte[4 * 5 * 4];
        byte[] c = new byte[2 * 66];
        rnd.nextBytes(a);
        rnd.nextBytes(b);
        rnd.nextBytes(c);
        List<String> calls = new ArrayList<>();
        new GgufWriter(p).alignment(64)
                .addTensor("a", GgmlType.Q8_0, new long[] {96}, dst -> {
                    calls.add("a");
                    dst.copyFrom(MemorySegment.ofArray(a));
                })
                .addTensor("b", GgmlType.F32, new long[] {4, 5}, dst -> dst.copyFrom(MemorySegment.ofArray(b)))
                .addTensor("c.weight", GgmlType.TQ2_0, new long[] {256, 2}, dst -> dst.copyFrom(MemorySegment.ofArray(c)))
                .write();
        assertEquals(List.of("a"), calls);
        assertFalse(Files.exists(dir.resolve("tensors.gguf.tmp")));
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataStart() % 64);
            assertEquals(List.of("a", "b", "c.weight"), f.tensors().stream().map(GgufTensorInfo::name).toList());
            for (GgufTensorInfo t : f.tensors()) {
                assertEquals(0, t.offset() % 64, t.name());
            }
            assertArrayEquals(a, f.data(f.requireTensor("a")).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(b, f.data(f.requireTensor("b")).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(c, f.data(f.requireTensor("c.weight")).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(new long[] {4, 5}, f.requireTensor("b").dims());
            assertEquals(5, f.requireTensor("b").rows());
        }
    }

    @Test
    void copyOfAFileIsIdenticalAndCanBeSubset() throws Exception {
        Path copy = dir.resolve("copy.gguf");
        Path shard = dir.resolve("shard.gguf");
        try (GgufFile src = GgufFile.open(GgufConformanceFileTest.TINY)) {
            GgufWriter.copyOf(src, copy).write();
            assertArrayEquals(Files.readAllBytes(GgufConformanceFileTest.TINY), Files.readAllBytes(copy));

            GgufWriter w = new GgufWriter(shard).putAll(src.metadata()).putUint32("bitnet.block_count", 1)
                    .putString("tern.shard", "0-of-3");
            for (GgufTensorInfo t : src.tensors()) {
                if (t.name().startsWith("blk.1.")) {
                    w.copyTensor(src, t, t.name().replace("blk.1.", "blk.0."));
                }
            }
            w.write();
            try (GgufFile s = GgufFile.open(shard)) {
                assertEquals(1, s.metadata().getInt("bitnet.block_count", 0));
                assertEquals("0-of-3", s.metadata().requireString("tern.shard"));
                assertEquals(11, s.tensors().size());
                GgufTensorInfo q = s.requireTensor("blk.0.attn_q.weight");
                assertEquals(src.data(src.requireTensor("blk.1.attn_q.weight")).mismatch(s.data(q)), -1);
            }
        }
    }

    @Test
    void largeFileOffsetsBeyond2GbWork() throws Exception {
        Path p = dir.resolve("big.gguf");
        long big = (1L << 31) + 64; // sparse: never touched
        float[] tail = {1f, -2f, 3.5f, 4f};
        new GgufWriter(p)
                .addTensor("big", GgmlType.I8, new long[] {big}, dst -> { })
                .addTensor("tail", GgmlType.F32, new long[] {4}, dst -> MemorySegment.copy(tail, 0, dst,
                        ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, 4))
                .write();
        try (GgufFile f = GgufFile.open(p)) {
            GgufTensorInfo t = f.requireTensor("tail");
            assertEquals(true, t.offset() > Integer.MAX_VALUE);
            float[] back = f.data(t).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
            assertArrayEquals(tail, back);
            assertEquals(big, f.data(f.requireTensor("big")).byteSize());
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Test
    void llama3SizedStringArrayRoundTrips() throws Exception {
        Path p = dir.resolve("vocab.gguf");
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 128256; i++) {
            tokens.add(i % 7 == 0 ? "Ġtok" + i : "é" + Integer.toString(i, 36));
        }
        new GgufWriter(p).putStrings("tokenizer.ggml.tokens", tokens).write();
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            try (GgufFile f = GgufFile.open(p)) {
                List<String> back = f.metadata().getStringArray("tokenizer.ggml.tokens");
                System.out.printf("open with 128256 strings: %.1f ms%n", (System.nanoTime() - t0) / 1e6);
                assertEquals(tokens, back);
            }
        }
    }

    @Test
    void writerRejectsBadTensors() {
        GgufWriter w = new GgufWriter(dir.resolve("x.gguf"));
        w.addTensor("t", GgmlType.F32, new long[] {1}, dst -> { });
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {1}, d -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("u", GgmlType.TQ2_0, new long[] {100}, d -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("v", GgmlType.F32, new long[] {0}, d -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GgufValueType.UINT32, 5L));
    }
}
