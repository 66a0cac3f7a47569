package io.tern.engine.forward;

import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.NumericPath;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One step over several sequences (prompt chunks and decode tokens mixed) gives each the bits it gets alone. */
class BatchedSegmentsTest {
    private static final int[][] PROMPTS = {{1, 2, 3, 4, 5, 6, 7}, {9, 8}, {11}, {4, 4, 4, 4}};

    @ParameterizedTest
    @EnumSource(NumericPath.class)
    void mixedBatchEqualsEachSequenceAlone(NumericPath path) throws Exception {
        try (BitNetModel model = ConformanceTest.load(path, "auto")) {
            int dim = model.config().dim(), vocab = model.config().vocab();
            ForwardPass alone = new ForwardPass(model, 16), batched = new ForwardPass(model, 32);
            List<KvCache> soloCaches = new ArrayList<>(), batchCaches = new ArrayList<>();
            for (int[] ignored : PROMPTS) {
                soloCaches.add(alone.newCache(64));
                batchCaches.add(batched.newCache(64));
            }
            // Step 1: every prompt at once. Steps 2-4: one decode token each, plus a second chunk for sequence 0.
            for (int step = 0; step < 4; step++) {
                List<int[]> inputs = new ArrayList<>();
                for (int s = 0; s < PROMPTS.length; s++) {
                    int[] in = step == 0 ? PROMPTS[s] : s == 0 && step == 2 ? new int[] {20, 21, 22} : new int[] {30 + step + s};
                    inputs.add(in);
                }
                int total = inputs.stream().mapToInt(a -> a.length).sum();
                int[] tokens = new int[total];
                float[] hidden = new float[total * dim];
                List<ForwardPass.Segment> segments = new ArrayList<>();
                int[] lastRows = new int[PROMPTS.length];
                int row = 0;
                for (int s = 0; s < PROMPTS.length; s++) {
                    int[] in = inputs.get(s);
                    System.arraycopy(in, 0, tokens, row, in.length);
                    KvCache cache = batchCaches.get(s);
                    segments.add(new ForwardPass.Segment(cache, cache.length(), in.length));
                    row += in.length;
                    lastRows[s] = row - 1;
                }
                batched.embed(tokens, 0, total, hidden);
                batched.layers(hidden, segments);
                float[] logits = new float[PROMPTS.length * vocab];
                batched.logits(hidden, lastRows, logits);
                for (int s = 0; s < PROMPTS.length; s++) {
                    float[] want = alone.forward(inputs.get(s), soloCaches.get(s), false);
                    assertArrayEquals(want, Arrays.copyOfRange(logits, s * vocab, (s + 1) * vocab), path + " step " + step + " sequence " + s);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = KvType.class, names = {"F32", "F16"})  // Q8 needs head_dim ≥ 64; the tiny model has 32
    void recycledPagesGiveTheSameLogits(KvType kv) throws Exception {
        try (BitNetModel model = io.tern.engine.model.ModelLoader.load(Golden.model(),
                io.tern.engine.model.ModelOptions.defaults().withThreads(2).withKvType(kv))) {
            ForwardPass pass = new ForwardPass(model, 16);
            int[] other = {7, 7, 3, 1, 2, 9, 4, 4, 5};
            KvCache first = pass.newCache(600);
            for (int p = 0; p < 300; p += other.length) pass.forward(other, first, false);  // two pages per layer, full of other data
            first.recycle();
            assertEquals(0, first.length());
            KvCache reused = pass.newCache(64);
            float[] got = pass.forward(PROMPTS[0], reused, true);
            assertTrue(pass.kvPages().reused() > 0, "no page was reused");
            float[] want = new ForwardPass(model, 16).forward(PROMPTS[0], new ForwardPass(model, 16).newCache(64), true);
            assertArrayEquals(want, got, kv + ": a recycled page changed the logits");
        }
    }
}
