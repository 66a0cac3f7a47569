package io.tern.engine.gguf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds the little-endian bytes of a GGUF header (everything before the data section) in memory. */
final class GgufHeaderEncoder {
    private byte[] buf = new byte[1 << 16];
    private int size;

    int size() {
        return size;
    }

    byte[] bytes() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int n) {
        if (buf.length - size < n) {
            long want = Math.max((long) buf.length * 2, (long) size + n);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("GGUF header larger than 2 GB");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    void u16(int v) {
        ensure(2);
        buf[size++] = (byte) v;
        buf[size++] = (byte) (v >> 8);
    }

    void u32(int v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[size++] = (byte) (v >> (8 * i));
        }
    }

    void u64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[size++] = (byte) (v >> (8 * i));
        }
    }

    void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    void padTo(long alignment) {
        while (size % alignment != 0) {
            u8(0);
        }
    }

    /** A value of the given type, as it follows the type id in a key/value pair. */
    void value(GgufValueType type, Object v) {
        switch (type) {
            case UINT8, INT8 -> u8((Byte) v);
            case UINT16, INT16 -> u16((Short) v);
            case UINT32, INT32 -> u32((Integer) v);
            case UINT64, INT64 -> u64((Long) v);
            case FLOAT32 -> u32(Float.floatToRawIntBits((Float) v));
            case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) v));
            case BOOL -> u8((Boolean) v ? 1 : 0);
            case STRING -> string((String) v);
            case ARRAY -> array((GgufArray) v);
        }
    }

    private void array(GgufArray a) {
        GgufValueType t = a.elementType();
        u32(t.id());
        u64(a.size());
        Object raw = a.rawValues();
        int n = a.size();
        switch (t) {
            case UINT8, INT8 -> {
                ensure(n);
                System.arraycopy((byte[]) raw, 0, buf, size, n);
                size += n;
            }
            case UINT16, INT16 -> {
                for (short x : (short[]) raw) {
                    u16(x);
                }
            }
            case UINT32, INT32 -> {
                for (int x : (int[]) raw) {
                    u32(x);
                }
            }
            case UINT64, INT64 -> {
                for (long x : (long[]) raw) {
                    u64(x);
                }
            }
            case FLOAT32 -> {
                for (float x : (float[]) raw) {
                    u32(Float.floatToRawIntBits(x));
                }
            }
            case FLOAT64 -> {
                for (double x : (double[]) raw) {
                    u64(Double.doubleToRawLongBits(x));
                }
            }
            case BOOL -> {
                for (boolean x : (boolean[]) raw) {
                    u8(x ? 1 : 0);
                }
            }
            case STRING -> {
                for (String x : (String[]) raw) {
                    string(x);
                }
            }
            case ARRAY -> {
                for (GgufArray x : (GgufArray[]) raw) {
                    array(x);
                }
            }
        }
    }
}
