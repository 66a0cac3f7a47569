package io.tern.engine.importer;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.model.NumericPath;
import java.nio.file.Path;

/** Logits of a model file for a prompt batch followed by two single-token steps. */
final class Logits {
    static final int[] PROMPT = {300, 17, 42, 99, 256, 5};

    private Logits() {
    }

    static float[] of(Path gguf, NumericPath path) throws Exception {
        try (BitNetModel model = ModelLoader.load(gguf, ModelOptions.defaults().withPath(path).withKernel("scalar")
                .withThreads(2))) {
            ForwardPass pass = new ForwardPass(model, PROMPT.length);
            KvCache cache = pass.newCache(16);
            float[] prompt = pass.forward(PROMPT, cache, true);
            float[] step1 = pass.forward(new int[] {7}, cache, false);
            float[] step2 = pass.forward(new int[] {123}, cache, false);
            float[] all = new float[prompt.length + step1.length + step2.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(step1, 0, all, prompt.length, step1.length);
            System.arraycopy(step2, 0, all, prompt.length + step1.length, step2.length);
            return all;
        }
    }
}
