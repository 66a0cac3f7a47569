package io.tern.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Bounds-checked little-endian reads from a mapped GGUF file; every overrun is a GgufFormatException. */
final class GgufCursor {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Longest string accepted (a Java array's practical limit). */
    static final long MAX_STRING = Integer.MAX_VALUE - 16;

    private final MemorySegment seg;
    private final long size;
    private final String file;
    private long pos;

    GgufCursor(MemorySegment seg, String file) {
        this.seg = seg;
        this.size = seg.byteSize();
        this.file = file;
    }

    long pos() {
        return pos;
    }

    long remaining() {
        return size - pos;
    }

    String file() {
        return file;
    }

    GgufFormatException error(String message) {
        return new GgufFormatException(file + ": " + message);
    }

    void need(long n, String what) throws GgufFormatException {
        if (n < 0 || n > remaining()) {
            throw error("truncated file: " + what + " needs " + (n < 0 ? Long.toUnsignedString(n) : n)
                    + " bytes at offset " + pos + ", only " + remaining() + " left");
        }
    }

    byte u8(String what) throws GgufFormatException {
        need(1, what);
        return seg.get(ValueLayout.JAVA_BYTE, pos++);
    }

    short u16(String what) throws GgufFormatException {
        need(2, what);
        short v = seg.get(U16, pos);
        pos += 2;
        return v;
    }

    int u32(String what) throws GgufFormatException {
        need(4, what);
        int v = seg.get(U32, pos);
        pos += 4;
        return v;
    }

    long u64(String what) throws GgufFormatException {
        need(8, what);
        long v = seg.get(U64, pos);
        pos += 8;
        return v;
    }

    float f32(String what) throws GgufFormatException {
        return Float.intBitsToFloat(u32(what));
    }

    double f64(String what) throws GgufFormatException {
        return Double.longBitsToDouble(u64(what));
    }

    /** A count that must be non-negative and leave room for {@code minBytesEach} bytes per item. */
    long count(String what, long minBytesEach) throws GgufFormatException {
        long n = u64(what);
        if (n < 0 || (minBytesEach > 0 && n > remaining() / minBytesEach)) {
            throw error(what + " " + Long.toUnsignedString(n) + " is impossible with " + remaining()
                    + " bytes left in the file (truncated or corrupt)");
        }
        return n;
    }

    String string(String what) throws GgufFormatException {
        return string(what, -1);
    }

    /** A string; {@code element} ≥ 0 names it as that element of the array {@code what} in errors. */
    String string(String what, long element) throws GgufFormatException {
        if (remaining() < 8) {
            need(8, "length of " + describe(what, element));
        }
        long len = seg.get(U64, pos);
        pos += 8;
        if (len < 0 || len > remaining()) {
            throw error("length " + Long.toUnsignedString(len) + " of " + describe(what, element) + " exceeds the "
                    + remaining() + " bytes left in the file (truncated or corrupt)");
        }
        if (len > MAX_STRING) {
            throw error("length " + len + " of " + describe(what, element) + " is too large");
        }
        byte[] bytes = new byte[(int) len];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, bytes, 0, bytes.length);
        pos += len;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String describe(String what, long element) {
        return element < 0 ? what : "element " + element + " of " + what;
    }

    /** Bulk copy of {@code n} elements into a Java array of the layout's carrier type. */
    void array(ValueLayout layout, Object dst, int n, String what) throws GgufFormatException {
        long bytes = n * layout.byteSize();
        need(bytes, what);
        MemorySegment.copy(seg, layout, pos, dst, 0, n);
        pos += bytes;
    }
}
