package io.tern.store.service;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.HfTestModel;
import io.tern.engine.testmodel.TestModelGenerator;
import io.tern.store.ShardChain;
import io.tern.store.TinyModels;
import io.tern.store.catalog.Manifest;
import io.tern.store.ingest.ImportProgress;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Every kind of source the store takes — llama.cpp's conformance model (TQ2_0), a bitnet.cpp-style
 * I2_S file with scale tensors, and Hugging Face directories in both BitNet layouts — imports to a
 * version whose shard chains of 1, 2 and 3 give exactly the logits of the unsharded model.
 */
class ImportSourcesTest {
    static final int[] PROMPT = {300, 17, 42, 99, 7};

    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"conformance", "i2_s", "hf-packed", "hf-master"})
    void shardChainsOfEverySourceMatchTheWholeModel(String kind) throws Exception {
        Path source = source(kind);
        WeightStore store = TinyModels.open(dir.resolve("store"));
        Manifest m = store.importPath("m", source, ImportProgress.NONE);
        Path canonical = store.blobs().localFile(m.canonical().sha256());
        float[] whole = ShardChain.logits(List.of(canonical), PROMPT, 99);
        if (!kind.equals("hf-master")) {
            // Lossless sources: the canonical file computes what the source computes.
            Path reference = kind.startsWith("hf") ? dir.resolve("gguf-for-hf.gguf") : source;
            assertArrayEquals(ShardChain.logits(List.of(reference), PROMPT, 99), whole, kind + ": canonical vs source");
        }
        for (int count = 1; count <= 3; count++) {
            List<Path> files = new ArrayList<>();
            for (var s : store.shardPlan("m", m.version(), count).shards()) files.add(store.blobs().localFile(s.blobSha256()));
            assertArrayEquals(whole, ShardChain.logits(files, PROMPT, 99), kind + ": " + count + " shards");
        }
    }

    private Path source(String kind) throws Exception {
        return switch (kind) {
            case "conformance" -> resource("/conformance/tiny-bitnet-tq2_0.gguf");
            case "i2_s" -> {
                Path f = dir.resolve("i2s.gguf");
                new TestModelGenerator(BitNetShape.tiny().withArch(BitNetShape.BITNET_CPP_ARCH))
                        .weightType(GgmlType.I2_S).scaleTensors(true).seed(5).write(f);
                yield f;
            }
            default -> {
                Path gguf = dir.resolve("gguf-for-hf.gguf");
                new TestModelGenerator(BitNetShape.tiny()).weightType(GgmlType.TQ2_0).seed(6).write(gguf);
                Path hf = dir.resolve("hf");
                new HfTestModel().layout(kind.equals("hf-packed") ? HfTestModel.Layout.PACKED : HfTestModel.Layout.MASTER).write(gguf, hf);
                yield hf;
            }
        };
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ImportSourcesTest.class.getResource(name).toURI());
    }
}
