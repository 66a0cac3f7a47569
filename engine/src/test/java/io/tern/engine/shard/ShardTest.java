package io.tern.engine.shard;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.LayerRange;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.model.NumericPath;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model cut into 1, 2 and 3 shards, run as a chain, gives exactly the whole model's logits. */
class ShardTest {
    @TempDir Path dir;

    static final int[] PROMPT = {300, 17, 42, 99, 256, 5, 7};
    static final int[] STEPS = {123, 44, 301};

    private static ModelOptions options(NumericPath path) {
        return ModelOptions.defaults().withPath(path).withKernel("scalar").withThreads(2);
    }

    /** Prompt logits (all rows) then one row per single-token step. */
    private static List<float[]> run(List<Path> chain, NumericPath path) throws Exception {
        List<BitNetModel> models = new ArrayList<>();
        try {
            for (Path p : chain) {
                models.add(ModelLoader.load(p, options(path)));
            }
            List<ForwardPass> passes = new ArrayList<>();
            List<KvCache> caches = new ArrayList<>();
            for (BitNetModel m : models) {
                ForwardPass pass = new ForwardPass(m, PROMPT.length);
                passes.add(pass);
                caches.add(pass.newCache(32));
            }
            List<float[]> out = new ArrayList<>();
            out.add(step(passes, caches, PROMPT, true));
            for (int t : STEPS) {
                out.add(step(passes, caches, new int[] {t}, false));
            }
            return out;
        } finally {
            models.forEach(BitNetModel::close);
        }
    }

    private static float[] step(List<ForwardPass> passes, List<KvCache> caches, int[] tokens, boolean all) {
        ForwardPass first = passes.getFirst();
        int dim = first.model().config().dim();
        int vocab = first.model().config().vocab();
        float[] hidden = new float[tokens.length * dim];
        first.embed(tokens, 0, tokens.length, hidden);
        for (int i = 0; i < passes.size(); i++) {
            KvCache cache = caches.get(i);
            passes.get(i).layers(hidden, List.of(new ForwardPass.Segment(cache, cache.length(), tokens.length)));
        }
        int[] rows = all ? java.util.stream.IntStream.range(0, tokens.length).toArray() : new int[] {tokens.length - 1};
        float[] logits = new float[rows.length * vocab];
        passes.getLast().logits(hidden, rows, logits);
        return logits;
    }

    private List<Path> cut(Path model, int shards) throws Exception {
        List<Path> out = new ArrayList<>();
        try (GgufFile g = GgufFile.open(model)) {
            List<LayerRange> plan = ShardPlanner.plan(g, shards);
            assertEquals(shards, plan.size());
            for (int i = 0; i < shards; i++) {
                Path p = dir.resolve(model.getFileName() + "." + shards + "-" + i + ".gguf");
                ShardWriter.write(g, plan, i, p);
                out.add(p);
            }
        }
        return out;
    }

    private void assertChainsMatch(Path model) throws Exception {
        for (NumericPath path : NumericPath.values()) {
            List<float[]> whole = run(List.of(model), path);
            for (int shards = 1; shards <= 3; shards++) {
                List<float[]> chained = run(cut(model, shards), path);
                for (int s = 0; s < whole.size(); s++) {
                    assertArrayEquals(whole.get(s), chained.get(s), path + ", " + shards + " shards, step " + s);
                }
            }
        }
    }

    @Test
    void tiedModelChainsGiveIdenticalLogits() throws Exception {
        Path model = dir.resolve("tied.gguf");
        new TestModelGenerator(BitNetShape.tiny()).weightType(GgmlType.I2_S).seed(21).write(model);
        assertChainsMatch(model);
        List<Path> shards = cut(model, 3);
        try (GgufFile first = GgufFile.open(shards.get(0)); GgufFile mid = GgufFile.open(shards.get(1));
             GgufFile last = GgufFile.open(shards.get(2))) {
            assertTrue(first.tensor("token_embd.weight").isPresent());
            assertFalse(first.tensor("output_norm.weight").isPresent());
            assertFalse(mid.tensor("token_embd.weight").isPresent());
            assertTrue(last.tensor("token_embd.weight").isPresent(), "tied head: the last shard needs the embedding");
            assertTrue(last.tensor("output_norm.weight").isPresent());
            assertEquals(1, mid.metadata().getInt(ShardWriter.INDEX_KEY, -1));
            assertEquals(3, mid.metadata().getInt(ShardWriter.COUNT_KEY, -1));
            assertEquals(1, mid.metadata().getInt(LayerRange.START_KEY, -1));
            assertEquals(2, mid.metadata().getInt(LayerRange.END_KEY, -1));
            assertTrue(mid.tensor("blk.1.attn_q.weight").isPresent());
            assertFalse(mid.tensor("blk.0.attn_q.weight").isPresent());
            assertFalse(mid.tensor("blk.2.attn_q.weight").isPresent());
        }
    }

    @Test
    void untiedModelWithScaleTensorsChainsGiveIdenticalLogits() throws Exception {
        Path model = dir.resolve("untied.gguf");
        new TestModelGenerator(BitNetShape.tiny().withArch(BitNetShape.BITNET_CPP_ARCH)).weightType(GgmlType.TQ2_0)
                .separateOutput(true).scaleTensors(true).seed(22).write(model);
        assertChainsMatch(model);
        List<Path> shards = cut(model, 2);
        try (GgufFile last = GgufFile.open(shards.get(1))) {
            assertFalse(last.tensor("token_embd.weight").isPresent(), "untied: the head is output.weight");
            assertTrue(last.tensor("output.weight").isPresent());
        }
    }

    @Test
    void plannerBalancesBytesAndRefusesTooManyShards() throws Exception {
        // Embedding-heavy first layer and head-heavy last layer.
        assertEquals(List.of(new LayerRange(0, 1), new LayerRange(1, 4), new LayerRange(4, 5)),
                ShardPlanner.plan(new long[] {100, 10, 10, 10, 100}, 3));
        assertEquals(List.of(new LayerRange(0, 2), new LayerRange(2, 4)),
                ShardPlanner.plan(new long[] {10, 10, 10, 10}, 2));
        assertEquals(List.of(new LayerRange(0, 3)), ShardPlanner.plan(new long[] {1, 2, 3}, 1));
        assertEquals(List.of(new LayerRange(0, 3), new LayerRange(3, 4)),
                ShardPlanner.plan(new long[] {1, 1, 1, 5}, 2));
        Path model = dir.resolve("m.gguf");
        new TestModelGenerator(BitNetShape.tiny()).weightType(GgmlType.I2_S).seed(1).write(model);
        try (GgufFile g = GgufFile.open(model)) {
            long[] bytes = ShardPlanner.layerBytes(g);
            assertEquals(3, bytes.length);
            assertTrue(bytes[0] > bytes[1] && bytes[2] > bytes[1], "embedding and head counted at the ends");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShardPlanner.plan(g, 4));
            assertTrue(e.getMessage().contains("3 layers into 4 shards"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ShardPlanner.plan(g, 0));
        }
    }
}
