package io.tern.engine.gguf;

import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Key/value metadata of a GGUF file, in file order.
 *
 * <p>Values are Java objects of the same width as on disk: Byte (UINT8, INT8), Short (UINT16, INT16),
 * Integer (UINT32, INT32), Long (UINT64, INT64), Float, Double, Boolean, String, or {@link GgufArray}.
 * Unsigned values keep their raw bits; the typed getters read them unsigned.
 *
 * <p>Errors: the {@code getX(key, default)} getters return the default when the key is absent and throw an
 * {@link UncheckedIOException} wrapping a {@link GgufFormatException} when the value has the wrong type or does
 * not fit. The {@code requireX(key)} getters throw the checked {@link GgufFormatException}, also when absent.
 */
public final class GgufMetadata {
    private final String source;
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, GgufValueType> types = new LinkedHashMap<>();

    /** Empty metadata; {@code source} (usually the file name) is used in error messages. */
    GgufMetadata(String source) {
        this.source = source;
    }

    /** Adds a key; the value must be of the Java type for {@code type} (see class comment). */
    void put(String key, GgufValueType type, Object value) {
        values.put(key, checkValue(key, type, value));
        types.put(key, type);
    }

    void remove(String key) {
        values.remove(key);
        types.remove(key);
    }

    static Object checkValue(String key, GgufValueType type, Object value) {
        Class<?> expected = switch (type) {
            case UINT8, INT8 -> Byte.class;
            case UINT16, INT16 -> Short.class;
            case UINT32, INT32 -> Integer.class;
            case UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
        };
        if (value == null || value.getClass() != expected) {
            throw new IllegalArgumentException("key '" + key + "': a " + type + " value must be a "
                    + expected.getSimpleName() + ", got " + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        return value;
    }

    /** Keys in file order. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The value, or null when absent. */
    public Object get(String key) {
        return values.get(key);
    }

    /** The value's type, or null when absent. */
    public GgufValueType typeOf(String key) {
        return types.get(key);
    }

    public Optional<String> getString(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        throw unchecked(wrongType(key, "a string"));
    }

    public String requireString(String key) throws GgufFormatException {
        Object v = require(key);
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, "a string");
    }

    /** Any integer type whose value fits an int. */
    public int getInt(String key, int def) {
        return has(key) ? unchecked(() -> requireInt(key)) : def;
    }

    public int requireInt(String key) throws GgufFormatException {
        long v = requireLong(key);
        if (v != (int) v || (v < 0 && typeOf(key) == GgufValueType.UINT64)) {
            throw new GgufFormatException("key '" + key + "' in " + source + ": value " + describe(key)
                    + " does not fit an int");
        }
        return (int) v;
    }

    /** Any integer type; a UINT64 above Long.MAX_VALUE is an error. */
    public long getLong(String key, long def) {
        return has(key) ? unchecked(() -> requireLong(key)) : def;
    }

    public long requireLong(String key) throws GgufFormatException {
        Object v = require(key);
        GgufValueType t = typeOf(key);
        long x = switch (t) {
            case UINT8 -> Byte.toUnsignedLong((Byte) v);
            case INT8 -> (Byte) v;
            case UINT16 -> Short.toUnsignedLong((Short) v);
            case INT16 -> (Short) v;
            case UINT32 -> Integer.toUnsignedLong((Integer) v);
            case INT32 -> (Integer) v;
            case UINT64, INT64 -> (Long) v;
            default -> throw wrongType(key, "an integer");
        };
        if (t == GgufValueType.UINT64 && x < 0) {
            throw new GgufFormatException("key '" + key + "' in " + source + ": value " + Long.toUnsignedString(x)
                    + " does not fit a long");
        }
        return x;
    }

    /** FLOAT32, FLOAT64 (narrowed) or any integer type. */
    public float getFloat(String key, float def) {
        return has(key) ? unchecked(() -> requireFloat(key)) : def;
    }

    public float requireFloat(String key) throws GgufFormatException {
        Object v = require(key);
        if (v instanceof Float f) {
            return f;
        }
        if (v instanceof Double d) {
            return d.floatValue();
        }
        if (typeOf(key).isInteger()) {
            return requireLong(key);
        }
        throw wrongType(key, "a number");
    }

    public boolean getBool(String key, boolean def) {
        Object v = values.get(key);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw unchecked(wrongType(key, "a bool"));
    }

    /** The array, or null when absent; a non-array value is an error. */
    public GgufArray getArray(String key) {
        Object v = values.get(key);
        if (v == null || v instanceof GgufArray) {
            return (GgufArray) v;
        }
        throw unchecked(wrongType(key, "an array"));
    }

    /** Strings of a string array; empty list if absent. */
    public List<String> getStringArray(String key) {
        GgufArray a = getArray(key);
        if (a == null) {
            return List.of();
        }
        if (a.elementType() != GgufValueType.STRING) {
            throw unchecked(wrongType(key, "an array of strings"));
        }
        return a.strings();
    }

    /** An integer array whose values fit an int; empty if absent. */
    public int[] getIntArray(String key) {
        GgufArray a = getArray(key);
        if (a == null) {
            return new int[0];
        }
        if (!a.elementType().isInteger()) {
            throw unchecked(wrongType(key, "an array of integers"));
        }
        if (a.elementType() == GgufValueType.INT32 || a.elementType() == GgufValueType.UINT32 && allNonNegative(a)) {
            return ((int[]) a.rawValues()).clone();
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            long v = a.getLong(i);
            if (v != (int) v || (v < 0 && a.elementType() == GgufValueType.UINT64)) {
                throw unchecked(new GgufFormatException("key '" + key + "' in " + source + ": element " + i
                        + " does not fit an int"));
            }
            out[i] = (int) v;
        }
        return out;
    }

    private static boolean allNonNegative(GgufArray a) {
        for (int v : (int[]) a.rawValues()) {
            if (v < 0) {
                return false;
            }
        }
        return true;
    }

    /** A numeric array as floats; empty if absent. */
    public float[] getFloatArray(String key) {
        GgufArray a = getArray(key);
        if (a == null) {
            return new float[0];
        }
        if (a.elementType() == GgufValueType.FLOAT32) {
            return ((float[]) a.rawValues()).clone();
        }
        GgufValueType t = a.elementType();
        if (t != GgufValueType.FLOAT64 && !t.isInteger()) {
            throw unchecked(wrongType(key, "an array of numbers"));
        }
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.getDouble(i);
        }
        return out;
    }

    private Object require(String key) throws GgufFormatException {
        Object v = values.get(key);
        if (v == null) {
            throw new GgufFormatException("missing key '" + key + "' in " + source);
        }
        return v;
    }

    private GgufFormatException wrongType(String key, String wanted) {
        return new GgufFormatException("key '" + key + "' in " + source + " is " + typeOf(key) + ", expected " + wanted);
    }

    private String describe(String key) {
        Object v = values.get(key);
        return typeOf(key) == GgufValueType.UINT64 ? Long.toUnsignedString((Long) v) : String.valueOf(v);
    }

    private static UncheckedIOException unchecked(GgufFormatException e) {
        return new UncheckedIOException(e.getMessage(), e);
    }

    private interface Getter<T> {
        T get() throws GgufFormatException;
    }

    private static <T> T unchecked(Getter<T> g) {
        try {
            return g.get();
        } catch (GgufFormatException e) {
            throw unchecked(e);
        }
    }

    @Override
    public String toString() {
        return "GgufMetadata[" + source + ", " + values.size() + " keys]";
    }
}
