package io.tern.engine.model;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.gguf.GgmlType;
import io.tern.engine.kernel.NativeKernel;
import io.tern.engine.kernel.SoftwarePrefetch;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The software-prefetch setting reaches the native kernel (auto resolved by CPU), and the logits do not depend on it. */
class PrefetchOptionTest {
    static final BitNetShape SHAPE = new BitNetShape(BitNetShape.LLAMA_CPP_ARCH, 2, 256, 512, 4, 2, 512, 128, 10000f, 1e-5f);

    @TempDir Path dir;

    @Test
    void forcedSettingIsAppliedAndChangesNoLogit() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        new TestModelGenerator(SHAPE).weightType(GgmlType.I2_S).seed(5).write(file);
        SoftwarePrefetch[] settings = SoftwarePrefetch.values();
        float[][] logits = new float[settings.length][];
        for (int i = 0; i < settings.length; i++) {
            ModelOptions o = ModelOptions.defaults().withKernel("native").withThreads(2).withPrefetch(settings[i]);
            BitNetModel m;
            try {
                m = ModelLoader.load(file, o);
            } catch (IllegalStateException e) {
                Assumptions.abort("native kernels not loadable here: " + e.getMessage());
                return;
            }
            try (m) {
                NativeKernel k = (NativeKernel) m.pool().kernel();
                assertEquals(settings[i].forTernary(k), k.prefetch(), settings[i].name());
                assertEquals(settings[i].forDense(k), k.densePrefetch(), settings[i].name());
                ForwardPass pass = new ForwardPass(m, 4);
                logits[i] = pass.forward(new int[]{1, 17, 300, 5}, pass.newCache(8), true);
            }
        }
        for (int i = 1; i < settings.length; i++) assertArrayEquals(logits[0], logits[i], settings[i].name());
    }
}
