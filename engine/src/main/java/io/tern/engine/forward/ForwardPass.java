package io.tern.engine.forward;

import io.tern.engine.kernel.NativeKernel;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.FfnActivation;
import io.tern.engine.model.Layer;
import io.tern.engine.model.LinearGroup;
import io.tern.engine.model.LinearInput;

import java.util.List;

/**
 * The BitNet b1.58 forward pass over a model or shard, for a batch of rows that may belong to
 * several sequences (each a {@link Segment} with its own KV cache), so prompt chunks and decode
 * tokens of different sequences can share one step. Holds scratch buffers: one instance per
 * thread.
 *
 * <pre>
 * x = embed(tokens)                                   (embedding shard only)
 * per layer:  h = attn_sub_norm(attention(rope(q, k), v)) ; x += Wo·h   (attention stores k, v in the KV cache)
 *             g, u = Wgate·ffn_norm(x), Wup·ffn_norm(x) ; x += Wdown·ffn_sub_norm(act(g)·u)
 * logits = lm_head(output_norm(x))                    (last shard only)
 * </pre>
 */
public final class ForwardPass {
    /** A run of consecutive rows of the batch that belong to one sequence, at positions [start, start + count). */
    public record Segment(KvCache cache, int start, int count) {}

    private final BitNetModel model;
    private final BitNetConfig c;
    private final int maxTokens;
    private final Rope rope;
    private final Attention attention;
    private final FfnActivation activation;
    // Scratch, all row-major (tokens, width).
    private final float[] xb;    // (maxTokens, dim)
    private final float[] q;     // (maxTokens, dim)
    private final float[] k;     // (maxTokens, kv_dim)
    private final float[] v;     // (maxTokens, kv_dim)
    private final float[] att;   // (maxTokens, dim)
    private final float[] proj;  // (maxTokens, dim)
    private final float[] gate;  // (maxTokens, ffn)
    private final float[] up;    // (maxTokens, ffn)
    private final LinearInput inDim;
    private final LinearInput inFfn;
    private final LinearGroup[] qkv;      // (layers of this shard)
    private final LinearGroup[] gateUp;   // (layers of this shard)
    private final KvPagePool kvPages = new KvPagePool();
    private StepProfile profile = StepProfile.OFF;

    public ForwardPass(BitNetModel model, int maxTokens) {
        this.model = model;
        this.c = model.config();
        this.maxTokens = maxTokens;
        this.rope = new Rope(c.headDim(), c.ropeDim(), c.ropeTheta(), Math.min(c.contextLength(), 8192));
        this.attention = new Attention(c.heads(), c.kvHeads(), c.headDim(), c.contextLength(), model.pool(),
                model.pool().kernel() instanceof NativeKernel);
        this.activation = model.options().ffnActivation();
        int d = c.dim(), kv = c.kvDim(), f = c.ffnDim();
        this.xb = new float[maxTokens * d];
        this.q = new float[maxTokens * d];
        this.k = new float[maxTokens * kv];
        this.v = new float[maxTokens * kv];
        this.att = new float[maxTokens * d];
        this.proj = new float[maxTokens * d];
        this.gate = new float[maxTokens * f];
        this.up = new float[maxTokens * f];
        this.inDim = new LinearInput(maxTokens, d, model.pool());
        this.inFfn = new LinearInput(maxTokens, f, model.pool());
        int layers = model.layerCount();
        this.qkv = new LinearGroup[layers];
        this.gateUp = new LinearGroup[layers];
        for (int i = 0; i < layers; i++) {
            Layer w = model.layer(model.firstLayer() + i);
            qkv[i] = new LinearGroup(w.wq(), w.wk(), w.wv());
            gateUp[i] = new LinearGroup(w.wGate(), w.wUp());
        }
    }

    public int maxTokens() { return maxTokens; }

    /** Times the phases of every step from now on into p (null: stop timing). */
    public void profile(StepProfile p) { this.profile = p != null ? p : StepProfile.OFF; }

    public BitNetModel model() { return model; }

    /** A KV cache sized for this model's layers, its pages from this pass's pool ({@link KvCache#recycle} returns them). */
    public KvCache newCache(int capacity) {
        return new KvCache(model.layerCount(), c.kvHeads(), c.headDim(), Math.min(capacity, c.contextLength()), model.options().kvType(), kvPages);
    }

    /** The pool of free KV pages the caches of this pass share. */
    public KvPagePool kvPages() { return kvPages; }

    /** hidden[(row), dim] = embedding of tokens[off + row] for row < n. */
    public void embed(int[] tokens, int off, int n, float[] hidden) {
        if (!model.hasEmbedding()) throw new IllegalStateException("this shard does not hold the token embedding");
        for (int i = 0; i < n; i++) model.embedding().lookup(tokens[off + i], hidden, i * c.dim());
    }

    /** Runs this shard's layers over the rows of hidden (the residual stream, updated in place). */
    public void layers(float[] hidden, List<Segment> segments) {
        int tokens = 0;
        for (Segment s : segments) {
            if (s.start() > s.cache().length())
                throw new IllegalArgumentException("sequence position " + s.start() + " skips past its cache length " + s.cache().length());
            if (s.start() + s.count() > s.cache().capacity())
                throw new IllegalArgumentException("position " + (s.start() + s.count()) + " exceeds the context of " + s.cache().capacity());
            tokens += s.count();
        }
        if (tokens > maxTokens) throw new IllegalArgumentException(tokens + " tokens exceed the step limit of " + maxTokens);
        for (int l = model.firstLayer(); l < model.endLayer(); l++) layer(model.layer(l), hidden, tokens, segments);
        for (Segment s : segments) s.cache().advanceTo(s.start() + s.count());
    }

    private void layer(Layer w, float[] x, int tokens, List<Segment> segments) {
        int d = c.dim(), kvDim = c.kvDim(), f = c.ffnDim();
        int cacheLayer = w.index() - model.firstLayer();
        StepProfile time = profile;
        time.start();

        // Attention block.
        eachRow(tokens, t -> RmsNorm.apply(x, t * d, d, w.attnNorm(), c.rmsEps(), xb, t * d));
        time.lap(StepProfile.Phase.ROWS);
        inDim.set(xb, tokens);
        qkv[cacheLayer].forward(inDim, q, k, v);
        time.lap(StepProfile.Phase.QKV);
        int row = 0;
        for (Segment s : segments) {
            for (int t = 0; t < s.count(); t++) {
                int pos = s.start() + t;
                rope.apply(q, (row + t) * d, c.heads(), pos);
                rope.apply(k, (row + t) * kvDim, c.kvHeads(), pos);
            }
            row += s.count();
        }
        time.lap(StepProfile.Phase.ROPE);
        attention.compute(q, k, v, segments, cacheLayer, att);  // stores k and v in the caches first
        time.lap(StepProfile.Phase.ATTENTION);
        eachRow(tokens, t -> RmsNorm.apply(att, t * d, d, w.attnSubNorm(), c.rmsEps(), att, t * d));
        time.lap(StepProfile.Phase.ROWS);
        w.wo().forward(inDim.set(att, tokens), proj);
        time.lap(StepProfile.Phase.WO);
        for (int i = 0; i < tokens * d; i++) x[i] += proj[i];

        // Feed-forward block.
        eachRow(tokens, t -> RmsNorm.apply(x, t * d, d, w.ffnNorm(), c.rmsEps(), xb, t * d));
        time.lap(StepProfile.Phase.ROWS);
        inDim.set(xb, tokens);
        gateUp[cacheLayer].forward(inDim, gate, up);
        time.lap(StepProfile.Phase.GATE_UP);
        eachRow(tokens, t -> {
            activation.gate(gate, up, t * f, (t + 1) * f);
            RmsNorm.apply(gate, t * f, f, w.ffnSubNorm(), c.rmsEps(), gate, t * f);
        });
        time.lap(StepProfile.Phase.FFN_ACT);
        w.wDown().forward(inFfn.set(gate, tokens), proj);
        time.lap(StepProfile.Phase.DOWN);
        for (int i = 0; i < tokens * d; i++) x[i] += proj[i];
        time.lap(StepProfile.Phase.ROWS);
    }

    /** Runs body for each row; rows are independent, so a batch spreads them over the compute pool. */
    private void eachRow(int tokens, java.util.function.IntConsumer body) {
        if (tokens == 1 || model.pool() == null) {
            for (int t = 0; t < tokens; t++) body.accept(t);
        } else {
            model.pool().parallelFor(tokens, body);
        }
    }

    /** logits[(i), vocab] = lm_head(output_norm(hidden row rows[i])). */
    public void logits(float[] hidden, int[] rows, float[] logits) {
        if (!model.hasHead()) throw new IllegalStateException("this shard does not hold the output head");
        if (rows.length > maxTokens) throw new IllegalArgumentException(rows.length + " logit rows exceed the step limit of " + maxTokens);
        int d = c.dim();
        StepProfile time = profile;
        time.start();
        for (int i = 0; i < rows.length; i++) RmsNorm.apply(hidden, rows[i] * d, d, model.outputNorm(), c.rmsEps(), xb, i * d);
        time.lap(StepProfile.Phase.ROWS);
        model.lmHead().forward(inDim.set(xb, rows.length), logits);
        time.lap(StepProfile.Phase.HEAD);
    }

    /**
     * Whole-model step for one sequence: feeds tokens at the cache's current length and returns
     * logits (tokens.length or 1 rows, vocab) — for every token, or only the last.
     */
    public float[] forward(int[] tokens, KvCache cache, boolean allLogits) {
        int n = tokens.length;
        float[] hidden = new float[n * c.dim()];
        embed(tokens, 0, n, hidden);
        layers(hidden, List.of(new Segment(cache, cache.length(), n)));
        int[] rows = allLogits ? java.util.stream.IntStream.range(0, n).toArray() : new int[]{n - 1};
        float[] out = new float[rows.length * c.vocab()];
        logits(hidden, rows, out);
        return out;
    }
}
