package io.tern.engine.forward;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.model.NumericPath;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The same seeded weights written as TQ1_0, TQ2_0, I2_S (and bitnet.cpp's arch with scale tensors) run identically. */
class TernaryFormatsTest {
    @TempDir Path dir;

    record Variant(String name, GgmlType type, String arch, boolean scaleTensors) {}

    @Test
    void everyTernaryFormatGivesIdenticalLogits() throws Exception {
        List<Variant> variants = List.of(
                new Variant("tq2_0", GgmlType.TQ2_0, BitNetShape.LLAMA_CPP_ARCH, false),
                new Variant("tq1_0", GgmlType.TQ1_0, BitNetShape.LLAMA_CPP_ARCH, false),
                new Variant("i2_s", GgmlType.I2_S, BitNetShape.BITNET_CPP_ARCH, false),
                new Variant("i2_s-scales", GgmlType.I2_S, BitNetShape.BITNET_CPP_ARCH, true),
                new Variant("f32", GgmlType.F32, BitNetShape.LLAMA_CPP_ARCH, false));
        int[] tokens = {300, 17, 42, 99, 256, 5, 7, 123};
        for (NumericPath path : NumericPath.values()) {
            float[] reference = null;
            for (Variant v : variants) {
                Path file = dir.resolve(v.name() + ".gguf");
                new TestModelGenerator(BitNetShape.tiny().withArch(v.arch())).weightType(v.type())
                        .scaleTensors(v.scaleTensors()).seed(11).write(file);
                try (BitNetModel model = ModelLoader.load(file, ModelOptions.defaults().withPath(path).withKernel("scalar"))) {
                    ForwardPass pass = new ForwardPass(model, tokens.length);
                    float[] logits = pass.forward(tokens, pass.newCache(16), true);
                    if (reference == null) reference = logits;
                    else assertArrayEquals(reference, logits, path + ": " + v.name() + " differs from tq2_0");
                }
            }
        }
    }
}
