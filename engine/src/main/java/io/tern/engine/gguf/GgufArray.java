package io.tern.engine.gguf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A GGUF metadata array: one element type and a Java array of values.
 * Backing arrays: byte[] (UINT8, INT8), short[] (UINT16, INT16), int[] (UINT32, INT32), long[] (UINT64, INT64),
 * float[], double[], boolean[], String[] and GgufArray[] (nested arrays). Unsigned types keep their raw bits;
 * {@link #getLong(int)} reads them unsigned.
 */
public final class GgufArray {
    private final GgufValueType elementType;
    private final Object values;
    private final int size;

    private GgufArray(GgufValueType elementType, Object values, int size) {
        this.elementType = elementType;
        this.values = values;
        this.size = size;
    }

    /** Wraps {@code values} (not copied), which must be the backing array type for {@code elementType}. */
    public static GgufArray of(GgufValueType elementType, Object values) {
        Objects.requireNonNull(values, "values");
        Class<?> expected = backingClass(elementType);
        if (values.getClass() != expected) {
            throw new IllegalArgumentException("array of " + elementType + " needs a " + expected.getSimpleName()
                    + ", got " + values.getClass().getSimpleName());
        }
        return new GgufArray(elementType, values, java.lang.reflect.Array.getLength(values));
    }

    public static GgufArray ofStrings(List<String> strings) {
        return of(GgufValueType.STRING, strings.toArray(new String[0]));
    }

    public static GgufArray ofInt32(int... values) {
        return of(GgufValueType.INT32, values);
    }

    public static GgufArray ofFloat32(float... values) {
        return of(GgufValueType.FLOAT32, values);
    }

    static Class<?> backingClass(GgufValueType t) {
        return switch (t) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
    }

    public GgufValueType elementType() {
        return elementType;
    }

    public int size() {
        return size;
    }

    /** The backing Java array (shared, do not modify). */
    public Object rawValues() {
        return values;
    }

    /** Element i boxed like {@link GgufMetadata#get}: Byte, Short, Integer, Long, Float, Double, Boolean, String, GgufArray. */
    public Object get(int i) {
        return java.lang.reflect.Array.get(values, i);
    }

    /** Integer element i; unsigned types are read unsigned (a UINT64 above Long.MAX_VALUE comes back negative). */
    public long getLong(int i) {
        return switch (elementType) {
            case UINT8 -> Byte.toUnsignedLong(((byte[]) values)[i]);
            case INT8 -> ((byte[]) values)[i];
            case UINT16 -> Short.toUnsignedLong(((short[]) values)[i]);
            case INT16 -> ((short[]) values)[i];
            case UINT32 -> Integer.toUnsignedLong(((int[]) values)[i]);
            case INT32 -> ((int[]) values)[i];
            case UINT64, INT64 -> ((long[]) values)[i];
            default -> throw new IllegalStateException("array of " + elementType + " is not an integer array");
        };
    }

    public double getDouble(int i) {
        return switch (elementType) {
            case FLOAT32 -> ((float[]) values)[i];
            case FLOAT64 -> ((double[]) values)[i];
            default -> getLong(i);
        };
    }

    public String getString(int i) {
        if (elementType != GgufValueType.STRING) {
            throw new IllegalStateException("array of " + elementType + " is not a string array");
        }
        return ((String[]) values)[i];
    }

    public GgufArray getArray(int i) {
        if (elementType != GgufValueType.ARRAY) {
            throw new IllegalStateException("array of " + elementType + " is not an array of arrays");
        }
        return ((GgufArray[]) values)[i];
    }

    /** Strings of a STRING array, as an unmodifiable list view. */
    public List<String> strings() {
        if (elementType != GgufValueType.STRING) {
            throw new IllegalStateException("array of " + elementType + " is not a string array");
        }
        return Collections.unmodifiableList(Arrays.asList((String[]) values));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray a && a.elementType == elementType
                && Arrays.deepEquals(new Object[] {values}, new Object[] {a.values});
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {values});
    }

    @Override
    public String toString() {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(size, 8); i++) {
            shown.add(String.valueOf(get(i)));
        }
        return "GgufArray[" + elementType + " x " + size + ": " + String.join(", ", shown) + (size > 8 ? ", ...]" : "]");
    }
}
