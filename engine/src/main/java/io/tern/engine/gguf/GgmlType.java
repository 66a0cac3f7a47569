package io.tern.engine.gguf;

/**
 * ggml tensor types with their GGUF ids, block size (values per block) and type size (bytes per block).
 * Ids follow llama.cpp's ggml.h; I2_S (36) and TL1 (37) are bitnet.cpp's fork, where 36..38 are free upstream.
 */
public enum GgmlType {
    F32(0, 1, 4), F16(1, 1, 2),
    Q4_0(2, 32, 18), Q4_1(3, 32, 20), Q5_0(6, 32, 22), Q5_1(7, 32, 24), Q8_0(8, 32, 34), Q8_1(9, 32, 36),
    Q2_K(10, 256, 84), Q3_K(11, 256, 110), Q4_K(12, 256, 144), Q5_K(13, 256, 176), Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66), IQ2_XS(17, 256, 74), IQ3_XXS(18, 256, 98), IQ1_S(19, 256, 50), IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110), IQ2_S(22, 256, 82), IQ4_XS(23, 256, 136),
    I8(24, 1, 1), I16(25, 1, 2), I32(26, 1, 4), I64(27, 1, 8), F64(28, 1, 8),
    IQ1_M(29, 256, 56), BF16(30, 1, 2),
    TQ1_0(34, 256, 54), TQ2_0(35, 256, 66),
    /** bitnet.cpp x86 layout: 128 values in 32 bytes, then one float32 scale per tensor padded to 32 bytes. */
    I2_S(36, 128, 32),
    /** bitnet.cpp lookup-table layout; sized like I2_S (its byte layout is not decoded here). */
    TL1(37, 128, 32),
    MXFP4(39, 32, 17);

    /** Bytes after the packed values of an I2_S / TL1 tensor: the float32 scale and padding to 32 bytes. */
    public static final int I2_S_TRAILER = 32;

    private static final GgmlType[] BY_ID = new GgmlType[40];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int typeSize;

    GgmlType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    public int id() {
        return id;
    }

    /** Values per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    /** True when one scale covers the whole tensor, so blocks may span rows (I2_S, TL1). */
    public boolean isPerTensor() {
        return this == I2_S || this == TL1;
    }

    /**
     * Bytes of a tensor of {@code elements} values. For I2_S it is elements/4 packed bytes plus a 32-byte trailer
     * holding the float32 scale (as bitnet.cpp's ggml_nbytes computes it).
     */
    public long byteSize(long elements) throws GgufFormatException {
        if (elements < 0) {
            throw new GgufFormatException(name() + ": negative element count " + elements);
        }
        if (elements % blockSize != 0) {
            throw new GgufFormatException(name() + ": " + elements + " elements is not a multiple of the block size "
                    + blockSize);
        }
        try {
            long packed = Math.multiplyExact(elements / blockSize, (long) typeSize);
            return isPerTensor() ? Math.addExact(packed, I2_S_TRAILER) : packed;
        } catch (ArithmeticException e) {
            throw new GgufFormatException(name() + ": byte size of " + elements + " elements overflows");
        }
    }

    public static GgmlType fromId(int id) throws GgufFormatException {
        GgmlType t = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (t == null) {
            throw new GgufFormatException("unknown ggml type id " + Integer.toUnsignedString(id));
        }
        return t;
    }
}
