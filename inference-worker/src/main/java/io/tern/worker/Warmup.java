package io.tern.worker;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.model.BitNetModel;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Runs a short prefill and some decode steps on a throw-away cache before the worker reports ready: the Vector API
 * kernels are ~100× slower until C2 has compiled them, and the first user should not pay for that.
 */
final class Warmup {
    private static final Logger LOG = Logger.getLogger(Warmup.class);

    private Warmup() {
    }

    static void run(ForwardPass pass, int steps) {
        if (steps <= 0) {
            return;
        }
        BitNetModel model = pass.model();
        int dim = model.config().dim();
        int prefill = Math.min(16, pass.maxTokens());
        KvCache cache = pass.newCache(prefill + steps);
        int positions = cache.capacity();
        long t0 = System.nanoTime();
        float[] hidden = new float[prefill * dim];
        int pos = 0;
        for (int step = 0; step <= steps && pos < positions; step++) {
            int n = step == 0 ? Math.min(prefill, positions) : 1;
            fill(model, hidden, n, pos);
            pass.layers(hidden, List.of(new ForwardPass.Segment(cache, pos, n)));
            if (model.hasHead()) {
                float[] logits = new float[model.config().vocab()];
                pass.logits(hidden, new int[] {n - 1}, logits);
            }
            pos += n;
        }
        LOG.infof("warm-up: %d positions in %d ms", pos, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Rows of a plausible residual stream: token embeddings on the first shard, small values otherwise. */
    private static void fill(BitNetModel model, float[] hidden, int n, int pos) {
        int dim = model.config().dim();
        for (int i = 0; i < n; i++) {
            if (model.hasEmbedding()) {
                model.embedding().lookup((pos + i) % model.config().vocab(), hidden, i * dim);
            } else {
                for (int c = 0; c < dim; c++) {
                    hidden[i * dim + c] = (float) Math.sin(0.37 * (pos + i) + 0.11 * c);
                }
            }
        }
    }
}
