package io.tern.engine.model;

/** How linear layers compute. */
public enum NumericPath {
    /** Weights dequantised to float, float activations: the reference. */
    FLOAT,
    /** BitNet's own: per-token absmax int8 activations, ternary × int8 integer dot products. */
    INT8;

    public static NumericPath parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "float", "f32" -> FLOAT;
            case "int8", "i8" -> INT8;
            default -> throw new IllegalArgumentException("unknown numeric path '" + s + "' (float|int8)");
        };
    }
}
