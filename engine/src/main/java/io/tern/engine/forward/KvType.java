package io.tern.engine.forward;

import java.util.Locale;

/** Element type of the KV cache: F32 (exact), F16, or Q8 (int8 with one float scale per position and KV head). */
public enum KvType {
    F32(4), F16(2), Q8(1);

    private final int bytes;

    KvType(int bytes) { this.bytes = bytes; }

    /** Bytes per stored element (Q8's per-row scales come on top). */
    public int bytes() { return bytes; }

    /** A configuration value: f32 | f16 | q8, or auto for null (the numeric path's default, see ModelOptions). */
    public static KvType parseOption(String s) {
        return s.trim().equalsIgnoreCase("auto") ? null : parse(s.trim());
    }

    public static KvType parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "f32", "float" -> F32;
            case "f16", "half" -> F16;
            case "q8", "int8", "i8" -> Q8;
            default -> throw new IllegalArgumentException("unknown KV cache type '" + s + "' (auto|f32|f16|q8)");
        };
    }
}
