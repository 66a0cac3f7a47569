package io.tern.engine.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufTensorInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConformanceTq2Test {
    static final Path TINY = Path.of("src/test/resources/conformance/bitnet-tiny/tiny-bitnet-tq2_0.gguf");

    @Test
    void linearWeightsAreTernaryTimesOneScale() throws Exception {
        TernaryCodec c = TensorCodec.ternary(GgmlType.TQ2_0);
        int checked = 0;
        try (GgufFile f = GgufFile.open(TINY)) {
            for (GgufTensorInfo t : f.tensors()) {
                if (t.type() != GgmlType.TQ2_0) {
                    continue;
                }
                int n = (int) t.elements();
                MemorySegment data = f.data(t);
                byte[] codes = new byte[n];
                float s = c.decodeTernary(data, n, 0, codes, 0, n);
                float[] w = new float[n];
                c.decode(data, n, 0, w, 0, n);
                int[] counts = new int[3];
                for (int i = 0; i < n; i++) {
                    assertEquals(codes[i] * s, w[i], 0f, t.name() + " element " + i);
                    counts[codes[i] + 1]++;
                }
                assertTrue(s > 0 && counts[0] > 0 && counts[1] > 0 && counts[2] > 0, t.name());
                // each block's d byte pair equals the tensor scale
                for (long b = 0; b < n / 256; b++) {
                    assertEquals(s, Float.float16ToFloat(data.get(Codecs.I16, b * 66 + 64)), t.name());
                }
                checked++;
            }
        }
        assertEquals(3 * 7, checked);
    }

    @Test
    void embeddingDecodesAsF16() throws Exception {
        try (GgufFile f = GgufFile.open(TINY)) {
            GgufTensorInfo t = f.requireTensor("token_embd.weight");
            float[] row = new float[256];
            TensorCodec.of(GgmlType.F16).decode(f.data(t), t.elements(), 256L * 302, row, 0, 256);
            short raw = f.data(t).get(ValueLayout.JAVA_SHORT_UNALIGNED, (256L * 302 + 7) * 2);
            assertEquals(Float.float16ToFloat(raw), row[7]);
        }
    }
}
