package io.tern.engine.model;

/** The gate activation of the FFN: BitNet b1.58 2B4T uses squared ReLU; stock llama.cpp's bitnet graph uses SiLU. */
public enum FfnActivation {
    RELU2, SILU;

    public float apply(float g) {
        return switch (this) {
            case RELU2 -> g > 0 ? g * g : 0f;
            case SILU -> (float) (g / (1.0 + Math.exp(-g)));
        };
    }

    public static FfnActivation parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "relu2", "relu_sqr", "squared_relu" -> RELU2;
            case "silu", "swiglu" -> SILU;
            default -> throw new IllegalArgumentException("unknown FFN activation '" + s + "' (relu2|silu)");
        };
    }
}
