package io.tern.engine.model;

import io.tern.engine.forward.RmsNorm;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.sampler.Sampler;

import java.util.SplittableRandom;

/**
 * How often the quantised lm_head (int8 or 4-bit) picks the same top-1 token as the file's float head: over random
 * Gaussian hidden states put through the model's output norm, the heads applied to the same rows — the head as loaded
 * (with its top candidates rescored from the float rows when {@link RescoredHead} is on) and its quantised logits alone.
 */
public final class HeadAgreement {
    /**
     * @param agree      samples where the head as loaded picked the float head's top-1
     * @param bits       bits per weight of the quantised head (8 or 4)
     * @param quantAgree the same for the quantised logits alone
     * @param candidates rows rescored per sample (0: none, the quantised head alone)
     * @param maxAbsDiff largest |Δlogit| of the quantised logits alone over all samples and the whole vocabulary
     * @param samplingTv mean total variation distance between softmax of the float head's logits and of the head as
     *                   loaded, at temperature 1 (what plain sampling draws from; 0 = the same distribution)
     */
    public record Result(int samples, int agree, double rate, int bits, int quantAgree, double quantRate, int candidates, float maxAbsDiff,
                         double samplingTv) {}

    private HeadAgreement() {}

    /** @throws IllegalStateException if the model has no int8 head (a shard without it, or the float head chosen) */
    public static Result measure(BitNetModel model, int samples, long seed) {
        Linear head = model.lmHead(), quant = model.quantisedHead();
        if (quant == null) {
            throw new IllegalStateException("the model has no quantised lm_head to compare (float path, int8Head off, or not the last shard)");
        }
        BitNetConfig c = model.config();
        int d = c.dim(), vocab = c.vocab();
        String name = model.file().tensor("output.weight").isPresent() ? "output.weight" : "token_embd.weight";
        GgufTensorInfo t = model.file().tensor(name).orElseThrow();
        FloatLinear reference = new FloatLinear(model.file().data(t), TensorCodec.of(t.type()), vocab, d, 1f, model.pool());

        SplittableRandom rnd = new SplittableRandom(seed);
        float[] hidden = new float[samples * d];
        for (int i = 0; i < hidden.length; i++) hidden[i] = (float) rnd.nextGaussian();
        RmsNorm.rows(hidden, samples, d, model.outputNorm(), c.rmsEps(), hidden);
        LinearInput in = new LinearInput(samples, d, null).set(hidden, samples);
        float[] exact = new float[samples * vocab], approx = new float[samples * vocab];
        reference.forward(in, exact);
        quant.forward(in, approx);
        float[] used = approx;
        if (head instanceof RescoredHead r) {  // the same quantised logits, then its top rows rescored
            used = approx.clone();
            r.rescore(in, used);
        }

        int agree = 0, quantAgree = 0;
        float worst = 0;
        for (int s = 0; s < samples; s++) {
            int best = Sampler.argmax(exact, s * vocab, vocab);
            if (best == Sampler.argmax(used, s * vocab, vocab)) agree++;
            if (best == Sampler.argmax(approx, s * vocab, vocab)) quantAgree++;
        }
        for (int i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(exact[i] - approx[i]));
        double tv = 0;
        for (int s = 0; s < samples; s++) tv += totalVariation(exact, used, s * vocab, vocab);
        int candidates = head instanceof RescoredHead r ? r.candidates() : 0;
        return new Result(samples, agree, (double) agree / samples, quant instanceof Int4Linear ? 4 : 8, quantAgree, (double) quantAgree / samples, candidates, worst, tv / samples);
    }

    /** ½ Σ |softmax(p) − softmax(q)| over one row of logits, in double. */
    static double totalVariation(float[] p, float[] q, int off, int n) {
        double mp = Double.NEGATIVE_INFINITY, mq = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            mp = Math.max(mp, p[off + i]);
            mq = Math.max(mq, q[off + i]);
        }
        double zp = 0, zq = 0;
        for (int i = 0; i < n; i++) {
            zp += Math.exp(p[off + i] - mp);
            zq += Math.exp(q[off + i] - mq);
        }
        double d = 0;
        for (int i = 0; i < n; i++) d += Math.abs(Math.exp(p[off + i] - mp) / zp - Math.exp(q[off + i] - mq) / zq);
        return d / 2;
    }
}
