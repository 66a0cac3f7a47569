package io.tern.engine.testmodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufMetadata;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.quant.TensorCodec;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestModelGeneratorTest {
    static final Path CONFORMANCE = Path.of("src/test/resources/conformance/bitnet-tiny/tiny-bitnet-tq2_0.gguf");

    @TempDir
    Path dir;

    private Path generate(GgmlType type, long seed, boolean scaleTensors) throws Exception {
        Path p = dir.resolve(type + "-" + seed + (scaleTensors ? "-scales" : "") + ".gguf");
        new TestModelGenerator(BitNetShape.tiny()).weightType(type).seed(seed).scaleTensors(scaleTensors).write(p);
        return p;
    }

    /** Every tensor decoded to floats, in file order; `.scale` tensors multiplied into their weights. */
    private static List<float[]> weights(Path p) throws Exception {
        List<float[]> out = new ArrayList<>();
        try (GgufFile f = GgufFile.open(p)) {
            for (GgufTensorInfo t : f.tensors()) {
                if (t.name().endsWith(".scale")) {
                    continue;
                }
                int n = (int) t.elements();
                float[] w = new float[n];
                TensorCodec.of(t.type()).decode(f.data(t), n, 0, w, 0, n);
                String scaleName = t.name().replace(".weight", ".scale");
                if (f.tensor(scaleName).isPresent()) {
                    float s = f.data(f.requireTensor(scaleName))
                            .get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
                    for (int i = 0; i < n; i++) {
                        w[i] *= s;
                    }
                }
                out.add(w);
            }
        }
        return out;
    }

    @Test
    void tinyModelMatchesTheConformanceLayout() throws Exception {
        Path p = generate(GgmlType.TQ2_0, 42, false);
        try (GgufFile ours = GgufFile.open(p); GgufFile ref = GgufFile.open(CONFORMANCE)) {
            GgufMetadata a = ours.metadata();
            GgufMetadata b = ref.metadata();
            for (String k : b.keys()) {
                assertTrue(a.has(k), "missing key " + k);
                assertEquals(b.typeOf(k), a.typeOf(k), k);
                if (!k.equals("general.name")) {
                    assertEquals(b.get(k), a.get(k), k);
                }
            }
            assertEquals(ref.tensors().size(), ours.tensors().size());
            for (int i = 0; i < ref.tensors().size(); i++) {
                GgufTensorInfo r = ref.tensors().get(i);
                GgufTensorInfo o = ours.tensors().get(i);
                assertEquals(r.name(), o.name());
                assertEquals(r.type(), o.type(), r.name());
                assertArrayEquals(r.dims(), o.dims(), r.name());
                assertEquals(r.offset(), o.offset(), r.name());
            }
        }
    }

    @Test
    void sameSeedGivesTheSameWeightsInEveryType() throws Exception {
        List<float[]> ref = weights(generate(GgmlType.F32, 7, false));
        for (GgmlType t : new GgmlType[] {GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.I2_S, GgmlType.F16}) {
            List<float[]> w = weights(generate(t, 7, false));
            for (int i = 0; i < ref.size(); i++) {
                assertArrayEquals(ref.get(i), w.get(i), t + " tensor #" + i);
            }
        }
        List<float[]> scaled = weights(generate(GgmlType.TQ1_0, 7, true));
        for (int i = 0; i < ref.size(); i++) {
            assertArrayEquals(ref.get(i), scaled.get(i), "scale tensors, tensor #" + i);
        }
        List<float[]> other = weights(generate(GgmlType.F32, 8, false));
        assertFalse(java.util.Arrays.equals(ref.get(3), other.get(3)), "another seed must change the weights");
    }

    @Test
    void linearWeightsAreOneScaleTimesTernaryWithAllThreeCodes() throws Exception {
        try (GgufFile f = GgufFile.open(generate(GgmlType.I2_S, 3, false))) {
            GgufTensorInfo t = f.requireTensor("blk.1.ffn_down.weight");
            assertArrayEquals(new long[] {768, 256}, t.dims());
            int n = (int) t.elements();
            byte[] codes = new byte[n];
            float s = TensorCodec.ternary(GgmlType.I2_S).decodeTernary(f.data(t), n, 0, codes, 0, n);
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(s)), s, "scale is f16-exact");
            assertTrue(s > 0.8 / Math.sqrt(768) && s < 1.26 / Math.sqrt(768), "scale " + s);
            int[] counts = new int[3];
            for (byte c : codes) {
                counts[c + 1]++;
            }
            assertTrue(counts[0] > n / 5 && counts[1] > n / 3 && counts[2] > n / 5, java.util.Arrays.toString(counts));
        }
    }

    @Test
    void optionsAddScaleAndOutputTensors() throws Exception {
        Path p = dir.resolve("opts.gguf");
        new TestModelGenerator(BitNetShape.tiny().withArch(BitNetShape.BITNET_CPP_ARCH)).weightType(GgmlType.I2_S)
                .separateOutput(true).scaleTensors(true).write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals("bitnet-b1.58", f.metadata().requireString("general.architecture"));
            assertEquals(3, f.metadata().getInt("bitnet-b1.58.block_count", 0));
            assertEquals(40, f.metadata().getInt("general.file_type", 0));
            assertEquals(GgmlType.F16, f.requireTensor("output.weight").type());
            GgufTensorInfo scale = f.requireTensor("blk.2.attn_q.scale");
            assertEquals(GgmlType.F32, scale.type());
            assertArrayEquals(new long[] {1}, scale.dims());
            assertEquals(35 + 1 + 3 * 7, f.tensors().size());
        }
    }

    @Test
    void llama3SizedVocabPutsSpecialTokensWhereLlama3Does() {
        TestVocab v = TestVocab.of(128256);
        assertEquals(128256, v.tokens().size());
        assertEquals(128000, v.bos());
        assertEquals("<|begin_of_text|>", v.tokens().get(128000));
        assertEquals(128001, v.eos());
        assertEquals(128009, v.eot());
        assertEquals("<|eot_id|>", v.tokens().get(128009));
        assertEquals(TestVocab.TYPE_CONTROL, v.types()[128009]);
        assertEquals(TestVocab.TYPE_NORMAL, v.types()[299]);
        assertEquals(128256, new java.util.HashSet<>(v.tokens()).size(), "tokens are unique");
        assertNotEquals(v.tokens().get(32), " ");
        assertEquals("Ġ", v.tokens().get(32));
    }
}
