package io.tern.worker;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.ForwardPass.Segment;
import io.tern.engine.model.BitNetModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one {@link Batch} through the shard: fills the residual stream (embedding rows or the hidden rows that came
 * in), runs this shard's layers over all segments at once, then hands each step its output: hidden rows for the next
 * shard, or logits (the step's last position, or all of them) on the last shard. Scheduler thread only.
 */
final class BatchRunner {
    private final ForwardPass pass;
    private final BitNetModel model;
    private final int dim;
    private final int vocab;
    private final float[] hidden; // (maxTokens, dim)

    BatchRunner(ForwardPass pass) {
        this.pass = pass;
        this.model = pass.model();
        this.dim = model.config().dim();
        this.vocab = model.config().vocab();
        this.hidden = new float[pass.maxTokens() * dim];
    }

    void run(Batch batch) {
        List<Segment> segments = new ArrayList<>(batch.chunks().size());
        int row = 0;
        for (Batch.Chunk c : batch.chunks()) {
            StepTask t = c.task();
            if (c.offset() == 0 && t.start() < t.sequence.cache.length()) {
                t.sequence.cache.truncate(t.start()); // rewind: the step overwrites from its start
            }
            StepInput in = t.input;
            if (in.tokens() != null) {
                for (int i = 0; i < c.count(); i++) {
                    model.embedding().lookup(in.tokens()[c.offset() + i], hidden, (row + i) * dim);
                }
            } else {
                System.arraycopy(in.hidden(), c.offset() * dim, hidden, row * dim, c.count() * dim);
            }
            segments.add(new Segment(t.sequence.cache, c.position(), c.count()));
            row += c.count();
        }
        pass.layers(hidden, segments);
        if (model.hasHead()) {
            collectLogits(batch);
        } else {
            collectHidden(batch);
        }
    }

    private void collectHidden(Batch batch) {
        int row = 0;
        for (Batch.Chunk c : batch.chunks()) {
            StepTask t = c.task();
            if (t.output == null) {
                t.output = new float[t.count() * dim];
            }
            System.arraycopy(hidden, row * dim, t.output, c.offset() * dim, c.count() * dim);
            row += c.count();
        }
    }

    private void collectLogits(Batch batch) {
        // Which batch rows need logits: every row of an all-logits step, else the step's final row.
        int n = 0;
        int[] rows = new int[batch.tokens()];
        int row = 0;
        for (Batch.Chunk c : batch.chunks()) {
            if (c.task().input.allLogits()) {
                for (int i = 0; i < c.count(); i++) {
                    rows[n++] = row + i;
                }
            } else if (c.completesStep()) {
                rows[n++] = row + c.count() - 1;
            }
            row += c.count();
        }
        if (n == 0) {
            return;
        }
        int[] wanted = java.util.Arrays.copyOf(rows, n);
        float[] logits = new float[n * vocab]; // (n, vocab)
        pass.logits(hidden, wanted, logits);
        int next = 0;
        for (Batch.Chunk c : batch.chunks()) {
            StepTask t = c.task();
            if (t.input.allLogits()) {
                if (t.output == null) {
                    t.output = new float[t.count() * vocab];
                }
                System.arraycopy(logits, next * vocab, t.output, c.offset() * vocab, c.count() * vocab);
                next += c.count();
            } else if (c.completesStep()) {
                t.output = new float[vocab];
                System.arraycopy(logits, next * vocab, t.output, 0, vocab);
                next++;
            }
        }
    }
}
