package io.tern.store;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.HfTestModel;
import io.tern.engine.testmodel.TestModelGenerator;
import io.tern.store.ingest.EngineModelNormalizer;
import io.tern.store.service.AliasEvents;
import io.tern.store.service.WeightStore;
import io.tern.store.shard.EngineShardCutter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Generated tiny BitNet models and stores for tests. */
public final class TinyModels {

    private TinyModels() {
    }

    /** The conformance-shaped tiny model (3 layers, tied head) with TQ2_0 weights from {@code seed}. */
    public static Path write(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        Path out = dir.resolve("tiny-" + seed + ".gguf");
        if (!Files.exists(out)) {
            new TestModelGenerator(BitNetShape.tiny()).weightType(GgmlType.TQ2_0).seed(seed).write(out);
        }
        return out;
    }

    /**
     * The same model as a Hugging Face directory: config.json, model.safetensors with packed uint8 ternary weights
     * and weight_scale, tokenizer.json and tokenizer_config.json (with a chat template).
     */
    public static Path writeHf(Path dir, long seed) throws IOException {
        Path out = dir.resolve("tiny-hf-" + seed);
        if (!Files.exists(out.resolve("config.json"))) {
            new HfTestModel().write(write(dir, seed), out);
        }
        return out;
    }

    public static WeightStore open(Path root) {
        return WeightStore.open(root, new EngineModelNormalizer(), new EngineShardCutter(), new AliasEvents());
    }
}
