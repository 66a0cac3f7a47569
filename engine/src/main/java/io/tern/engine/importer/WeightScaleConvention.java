package io.tern.engine.importer;

/**
 * How a packed Hugging Face BitNet checkpoint's {@code weight_scale} relates to the weights.
 *
 * <p>transformers has two layer classes for pre-quantised BitNet (integrations/bitnet.py): {@code BitLinear}
 * (config {@code quantization_config.linear_class = "bitlinear"}, the default) computes
 * {@code y / (input_scale * weight_scale)}, i.e. W = T / weight_scale, with weight_scale = 1 / mean|W| as in the
 * training code's {@code s = 1 / mean|W|}; {@code AutoBitLinear} ({@code "autobitlinear"}) computes
 * {@code F.linear(x, T) * weight_scale}, i.e. W = T · weight_scale with weight_scale = mean|W|. mlx-lm
 * (models/bitlinear_layers.py) follows the same switch: it inverts the scale unless linear_class is
 * "autobitlinear". The I2_S scale we write is the dequantisation factor s of W = s·T, which is what bitnet.cpp
 * writes: its published 2B4T GGUF comes from the bf16 master weights (preprocess-huggingface-bitnet.py ternarises
 * to ±mean|W|, llama-quantize I2_S stores max|x| = mean|W|), and its packed-checkpoint path
 * (convert-hf-to-gguf-bitnet.py, quantize_to_i2_s(override_scale=weight_scale)) stores weight_scale unchanged,
 * which is right for autobitlinear checkpoints (bitnet-b1.58-2B-4T: weight_scale ≈ 1.5, the size of its bf16
 * master weights' mean |W|).
 */
public enum WeightScaleConvention {
    /** Read {@code quantization_config.linear_class} from config.json: "autobitlinear" multiplies, else divides. */
    FROM_CONFIG,
    /** W = T · weight_scale (AutoBitLinear). */
    MULTIPLY,
    /** W = T / weight_scale (BitLinear). */
    DIVIDE;

    /** The I2_S scale s (W = s·T) for a stored weight_scale; FROM_CONFIG must be resolved first. */
    float dequantScale(float weightScale) {
        return switch (this) {
            case MULTIPLY -> weightScale;
            case DIVIDE -> (float) (1.0 / weightScale);
            case FROM_CONFIG -> throw new IllegalStateException("resolve FROM_CONFIG against config.json first");
        };
    }
}
