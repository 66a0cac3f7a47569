package io.tern.engine.model;

import io.tern.engine.kernel.GemvBandwidth;
import io.tern.engine.kernel.StreamBandwidth;

import java.util.SplittableRandom;

/**
 * A decode step's matmuls alone: every layer's q,k,v, wo, gate,up and down jobs of one token, in the step's order and
 * on the model's own packed weights and pool, with nothing between them — and again with a pause on the calling thread
 * where the step runs attention (the pool's workers spin through it, as in decode). Passes alternate with passes of
 * {@link StreamBandwidth}'s read, in an order that rotates every round (the first pass after a pause runs slower), and
 * each figure is the median of its per-round ratios.
 * It splits a decode step's distance from the read into what the kernels and pool cost at the step's real shapes and
 * what the pauses between them cost. On the 2-vCPU Zen 5 VM (tern bench, 2B4T, four runs): the chain 0.75-0.88 of the
 * read, paused 0.75-0.85, while the GEMV alone (one job) made 0.83-1.01 and decode 0.65-0.78 — the 120 job boundaries
 * cost as much as attention does. In a harness timing each job, a 60 µs pause after q,k,v made the next two jobs (wo,
 * gate,up) ~0.4-0.6 ms a pass slower over 30 layers, whether the pause spun, read cached data, or ran as a pool job.
 */
public final class LayerMatmulBandwidth {
    private static final long STREAM_BYTES = 1L << 30;
    /** Chain passes per measurement: one pass of 2B4T is ~10 ms, shorter than the read's. */
    static final int CHAIN_PASSES = 3;

    /** Medians over the rounds: the chain's GB/s of packed weights and its ratio to the read; the same paused. */
    public record Result(long bytes, int layers, double chainGbs, double ratio, long pauseNanos, double pausedGbs,
                         double pausedRatio, double streamGbs, int rounds) {}

    private LayerMatmulBandwidth() {}

    /**
     * {@code rounds} rounds (after one warm-up round) of three passes — the chain, the chain with {@code pauseNanos} of
     * spinning after each layer's q,k,v job, the read — on the model's pool. The paused figure counts weight bytes over
     * the time spent outside the pauses.
     */
    public static Result measure(BitNetModel model, long pauseNanos, int rounds) throws InterruptedException {
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1");
        if (pauseNanos < 0) throw new IllegalArgumentException("pauseNanos must be >= 0");
        if (model.layerCount() == 0) throw new IllegalArgumentException("the model holds no layers");
        Chain chain = new Chain(model);
        double[] plain = new double[rounds], paused = new double[rounds], stream = new double[rounds];
        double[] ratio = new double[rounds], pausedRatio = new double[rounds];
        try (StreamBandwidth.Reader read = new StreamBandwidth.Reader(STREAM_BYTES, model.pool())) {
            for (int round = -1; round < rounds; round++) {
                double p = 0, q = 0, s = 0;
                for (int k = 0; k < 3; k++) {
                    switch ((k + Math.max(round, 0)) % 3) {
                        case 0 -> p = chain.gbs(0);
                        case 1 -> q = chain.gbs(pauseNanos);
                        default -> s = read.pass();
                    }
                }
                if (round < 0) continue;
                plain[round] = p;
                paused[round] = q;
                stream[round] = s;
                ratio[round] = p / s;
                pausedRatio[round] = q / s;
            }
        }
        return new Result(chain.bytes, model.layerCount(), GemvBandwidth.median(plain), GemvBandwidth.median(ratio), pauseNanos,
                GemvBandwidth.median(paused), GemvBandwidth.median(pausedRatio), GemvBandwidth.median(stream), rounds);
    }

    /** The layers' matmuls with their operands: random activations, outputs that are overwritten. */
    private static final class Chain {
        final BitNetModel model;
        final LinearGroup[] qkv, gateUp;    // (layers)
        final LinearInput inDim, inFfn;
        final float[] xDim, xFfn, q, k, v, o, gate, up, down;
        final long bytes;

        Chain(BitNetModel model) {
            this.model = model;
            BitNetConfig c = model.config();
            int n = model.layerCount(), d = c.dim(), f = c.ffnDim(), kv = c.kvDim();
            qkv = new LinearGroup[n];
            gateUp = new LinearGroup[n];
            long b = 0;
            for (int i = 0; i < n; i++) {
                Layer w = layer(i);
                qkv[i] = new LinearGroup(w.wq(), w.wk(), w.wv());
                gateUp[i] = new LinearGroup(w.wGate(), w.wUp());
                b += w.matmulBytes();
            }
            bytes = b;
            inDim = new LinearInput(1, d, model.pool());
            inFfn = new LinearInput(1, f, model.pool());
            SplittableRandom rnd = new SplittableRandom(3);
            xDim = gaussian(rnd, d);
            xFfn = gaussian(rnd, f);
            q = new float[d];
            k = new float[kv];
            v = new float[kv];
            o = new float[d];
            gate = new float[f];
            up = new float[f];
            down = new float[d];
        }

        Layer layer(int i) { return model.layer(model.firstLayer() + i); }

        /** GB/s of packed weights over CHAIN_PASSES passes, the pauses' time left out. */
        double gbs(long pauseNanos) {
            long paused = 0, t0 = System.nanoTime();
            for (int pass = 0; pass < CHAIN_PASSES; pass++) {
                for (int i = 0; i < qkv.length; i++) {
                    Layer w = layer(i);
                    qkv[i].forward(inDim.set(xDim, 1), q, k, v);
                    if (pauseNanos > 0) paused += spin(pauseNanos);
                    w.wo().forward(inDim.set(xDim, 1), o);
                    gateUp[i].forward(inDim.set(xDim, 1), gate, up);
                    w.wDown().forward(inFfn.set(xFfn, 1), down);
                }
            }
            return (double) bytes * CHAIN_PASSES / (System.nanoTime() - t0 - paused);
        }

        private static long spin(long nanos) {
            long t0 = System.nanoTime(), t;
            while ((t = System.nanoTime()) - t0 < nanos) Thread.onSpinWait();
            return t - t0;
        }

        private static float[] gaussian(SplittableRandom rnd, int n) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
            return x;
        }
    }
}
