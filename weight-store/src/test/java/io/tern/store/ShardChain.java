package io.tern.store;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Runs a prompt and one decode step through a model given as a chain of shard files, like a worker pipeline. */
public final class ShardChain {

    private ShardChain() {
    }

    /** Logits of every prompt token followed by the logits of {@code next}: (prompt.length + 1, vocab). */
    public static float[] logits(List<Path> shards, int[] prompt, int next) throws IOException {
        List<BitNetModel> models = new ArrayList<>();
        try {
            for (Path p : shards) {
                models.add(ModelLoader.load(p, ModelOptions.defaults().withThreads(1)));
            }
            List<ForwardPass> passes = models.stream().map(m -> new ForwardPass(m, 8)).toList();
            List<KvCache> caches = passes.stream().map(p -> p.newCache(16)).toList();
            float[] first = step(passes, caches, prompt, 0);
            float[] second = step(passes, caches, new int[] {next}, prompt.length);
            float[] out = new float[first.length + second.length];
            System.arraycopy(first, 0, out, 0, first.length);
            System.arraycopy(second, 0, out, first.length, second.length);
            return out;
        } finally {
            models.forEach(BitNetModel::close);
        }
    }

    private static float[] step(List<ForwardPass> passes, List<KvCache> caches, int[] tokens, int start) {
        int n = tokens.length;
        int dim = passes.get(0).model().config().dim();
        float[] hidden = new float[n * dim];
        passes.get(0).embed(tokens, 0, n, hidden);
        for (int k = 0; k < passes.size(); k++) {
            passes.get(k).layers(hidden, List.of(new ForwardPass.Segment(caches.get(k), start, n)));
        }
        ForwardPass last = passes.get(passes.size() - 1);
        float[] logits = new float[n * last.model().config().vocab()];
        last.logits(hidden, IntStream.range(0, n).toArray(), logits);
        return logits;
    }
}
