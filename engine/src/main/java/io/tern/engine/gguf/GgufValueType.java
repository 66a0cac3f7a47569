package io.tern.engine.gguf;

/** Metadata value types of GGUF, with their on-disk ids. */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4),
    BOOL(7, 1), STRING(8, -1), ARRAY(9, -1), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    public int id() {
        return id;
    }

    /** Bytes of one value on disk, or -1 for STRING and ARRAY (variable). */
    public int fixedSize() {
        return size;
    }

    /** Fewest bytes one value can take on disk (a string is at least its 8-byte length, an array its type and count). */
    public int minSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> size;
        };
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    public static GgufValueType fromId(int id) throws GgufFormatException {
        if (id < 0 || id >= BY_ID.length) {
            throw new GgufFormatException("unknown GGUF value type id " + Integer.toUnsignedString(id));
        }
        return BY_ID[id];
    }
}
