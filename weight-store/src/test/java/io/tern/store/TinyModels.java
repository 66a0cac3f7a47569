package io.tern.store;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import io.tern.store.ingest.CanonicalGgufNormalizer;
import io.tern.store.service.AliasEvents;
import io.tern.store.service.WeightStore;
import io.tern.store.shard.GgufShardCutter;
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

    public static WeightStore open(Path root) {
        return WeightStore.open(root, new CanonicalGgufNormalizer(), new GgufShardCutter(), new AliasEvents());
    }
}
