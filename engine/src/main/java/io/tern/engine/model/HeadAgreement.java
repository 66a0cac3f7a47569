package io.tern.engine.model;

import io.tern.engine.forward.RmsNorm;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.sampler.Sampler;

import java.util.SplittableRandom;

/**
 * How often the int8 lm_head picks the same top-1 token as the file's float head: over random Gaussian hidden
 * states put through the model's output norm, both heads applied to the same rows.
 */
public final class HeadAgreement {
    /** @param maxAbsDiff largest |Δlogit| seen over all samples and the whole vocabulary */
    public record Result(int samples, int agree, double rate, float maxAbsDiff) {}

    private HeadAgreement() {}

    /** @throws IllegalStateException if the model has no int8 head (a shard without it, or the float head chosen) */
    public static Result measure(BitNetModel model, int samples, long seed) {
        if (!(model.lmHead() instanceof Int8Linear int8)) {
            throw new IllegalStateException("the model has no int8 lm_head to compare (float path, int8Head off, or not the last shard)");
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
        int8.forward(in, approx);

        int agree = 0;
        float worst = 0;
        for (int s = 0; s < samples; s++) {
            if (Sampler.argmax(exact, s * vocab, vocab) == Sampler.argmax(approx, s * vocab, vocab)) agree++;
        }
        for (int i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(exact[i] - approx[i]));
        return new Result(samples, agree, (double) agree / samples, worst);
    }
}
