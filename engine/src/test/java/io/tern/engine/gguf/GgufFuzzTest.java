package io.tern.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tern.engine.quant.TensorCodec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated files (byte flips, truncations, huge counts, bad offsets) built from a small valid GGUF: opening and
 * reading everything must either work or throw GgufFormatException, never anything else.
 */
class GgufFuzzTest {
    private static final long[] HUGE_64 = {-1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, 1L << 40, 0x7fffffffL,
        0xffffffffL, 1L << 62, 3, 0};
    private static final int[] ODD_32 = {-1, Integer.MAX_VALUE, Integer.MIN_VALUE, 13, 33, 5, 9, 40, 0, 1 << 20};

    @TempDir
    Path dir;
    private byte[] base;
    private int headerEnd;
    private int[] offsetFields;
    private int mutated;
    private int opened;

    @BeforeEach
    void buildBase() throws Exception {
        Path p = dir.resolve("base.gguf");
        SplittableRandom r = new SplittableRandom(11);
        GgufWriter w = GgufWriterRoundTripTest.everyValueType(p);
        String[] names = {"f32", "tq2", "i2s", "tq1", "f16"};
        GgmlType[] types = {GgmlType.F32, GgmlType.TQ2_0, GgmlType.I2_S, GgmlType.TQ1_0, GgmlType.F16};
        long[][] dims = {{8, 3}, {256, 2}, {128, 2}, {256}, {16}};
        for (int i = 0; i < names.length; i++) {
            w.addTensor(names[i], types[i], dims[i], dst -> {
                for (long b = 0; b < dst.byteSize(); b++) {
                    dst.set(ValueLayout.JAVA_BYTE, b, (byte) r.nextInt(256));
                }
            });
        }
        w.write();
        base = Files.readAllBytes(p);
        try (GgufFile f = GgufFile.open(p)) {
            headerEnd = (int) f.dataStart();
            offsetFields = new int[f.tensors().size()];
            for (int i = 0; i < offsetFields.length; i++) {
                GgufTensorInfo t = f.tensors().get(i);
                int namePos = indexOf(base, ("" + t.name()).getBytes(StandardCharsets.UTF_8), headerEnd);
                offsetFields[i] = namePos + t.name().length() + 4 + 8 * t.nDims() + 4;
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle, int end) {
        // tensor infos come last in the header: search backwards
        for (int i = end - needle.length; i >= 8; i--) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)
                    && ByteBuffer.wrap(hay, i - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() == needle.length) {
                return i;
            }
        }
        throw new IllegalStateException("tensor name not found");
    }

    @Test
    void mutatedFilesOpenOrFailWithGgufFormatException() throws Exception {
        SplittableRandom r = new SplittableRandom(2024);
        for (int i = 0; i < 300; i++) {
            byte[] b = base.clone();
            int flips = 1 + r.nextInt(4);
            for (int k = 0; k < flips; k++) {
                b[r.nextInt(headerEnd)] ^= (byte) (1 << r.nextInt(8));
            }
            check(b, "flip #" + i);
        }
        for (int i = 0; i < 150; i++) {
            check(Arrays.copyOf(base, r.nextInt(base.length)), "truncate #" + i);
        }
        for (int i = 0; i < 200; i++) {
            byte[] b = base.clone();
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            if (r.nextBoolean()) {
                bb.putLong(r.nextInt(headerEnd - 8), HUGE_64[r.nextInt(HUGE_64.length)]);
            } else {
                bb.putInt(r.nextInt(headerEnd - 4), ODD_32[r.nextInt(ODD_32.length)]);
            }
            check(b, "patch #" + i);
        }
        for (int i = 0; i < 100; i++) {
            byte[] b = base.clone();
            int field = offsetFields[r.nextInt(offsetFields.length)];
            long v = switch (r.nextInt(4)) {
                case 0 -> r.nextLong(base.length);
                case 1 -> HUGE_64[r.nextInt(HUGE_64.length)];
                case 2 -> 32L * r.nextInt(base.length / 32 + 4);
                default -> base.length - headerEnd - r.nextInt(64);
            };
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(field, v);
            check(b, "offset #" + i + " = " + v);
        }
        assertTrue(mutated == 750 && opened > 0 && opened < mutated, mutated + " mutated, " + opened + " opened");
        System.out.println("fuzz: " + mutated + " mutated files, " + opened + " still valid");
    }

    private void check(byte[] bytes, String what) throws Exception {
        mutated++;
        Path p = dir.resolve("fuzz.gguf");
        Files.write(p, bytes);
        try (GgufFile f = GgufFile.open(p)) {
            readEverything(f);
            opened++;
        } catch (GgufFormatException expected) {
            assertTrue(expected.getMessage().startsWith("fuzz.gguf: "), expected.getMessage());
        } catch (Throwable t) {
            fail(what + ": " + t, t);
        }
    }

    private static void readEverything(GgufFile f) {
        GgufMetadata md = f.metadata();
        for (String k : md.keys()) {
            String.valueOf(md.get(k));
        }
        long sum = 0;
        for (GgufTensorInfo t : f.tensors()) {
            MemorySegment data = f.data(t);
            for (long b = 0; b < data.byteSize(); b++) {
                sum += data.get(ValueLayout.JAVA_BYTE, b);
            }
            if (t.elements() <= 4096 && supported(t.type())) {
                int n = (int) t.elements();
                TensorCodec.of(t.type()).decode(data, n, 0, new float[n], 0, n);
            }
        }
        if (sum == Long.MIN_VALUE) {
            throw new AssertionError("unreachable");
        }
    }

    private static boolean supported(GgmlType t) {
        return switch (t) {
            case F32, F16, BF16, Q8_0, TQ1_0, TQ2_0, I2_S -> true;
            default -> false;
        };
    }
}
