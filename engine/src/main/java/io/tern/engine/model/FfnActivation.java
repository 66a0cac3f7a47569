package io.tern.engine.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The gate activation of the FFN: BitNet b1.58 2B4T uses squared ReLU; stock llama.cpp's bitnet graph uses SiLU. */
public enum FfnActivation {
    RELU2, SILU;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    public float apply(float g) {
        return switch (this) {
            case RELU2 -> g > 0 ? g * g : 0f;
            case SILU -> (float) (g / (1.0 + Math.exp(-g)));
        };
    }

    /** gate[i] = act(gate[i]) · up[i] for i in [from, to); the same bits as {@link #apply} lane by lane. */
    public void gate(float[] gate, float[] up, int from, int to) {
        int i = from;
        if (this == RELU2) {
            for (int bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
                FloatVector g = FloatVector.fromArray(F, gate, i);
                FloatVector relu2 = FloatVector.zero(F).blend(g.mul(g), g.compare(VectorOperators.GT, 0f));  // NaN → 0 too
                relu2.mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
            }
        }
        for (; i < to; i++) gate[i] = apply(gate[i]) * up[i];
    }

    public static FfnActivation parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "relu2", "relu_sqr", "squared_relu" -> RELU2;
            case "silu", "swiglu" -> SILU;
            default -> throw new IllegalArgumentException("unknown FFN activation '" + s + "' (relu2|silu)");
        };
    }
}
