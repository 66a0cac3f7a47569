package io.tern.engine.quant;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian layouts and argument checks shared by the codecs. */
final class Codecs {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Codecs() {
    }

    /** Checks a decode/encode range against the block size and the tensor's byte size. */
    static void checkRange(GgmlType type, MemorySegment tensor, long total, long first, long n) {
        int block = type.blockSize();
        if (total < 0 || first < 0 || n < 0 || first > total - n) {
            throw new IllegalArgumentException(type + ": range [" + first + ", " + first + "+" + n
                    + ") is outside a tensor of " + total + " elements");
        }
        if (total % block != 0 || first % block != 0 || n % block != 0) {
            throw new IllegalArgumentException(type + ": total " + total + ", first " + first + " and n " + n
                    + " must be multiples of the block size " + block);
        }
        long need = byteSize(type, total);
        if (tensor.byteSize() < need) {
            throw new IllegalArgumentException(type + ": tensor of " + total + " elements needs " + need
                    + " bytes, segment has " + tensor.byteSize());
        }
    }

    static long byteSize(GgmlType type, long total) {
        try {
            return type.byteSize(total);
        } catch (GgufFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** C's roundf / lroundf: halves away from zero. */
    static int roundAway(float x) {
        return (int) Math.copySign(Math.floor(Math.abs(x) + 0.5f), x);
    }

    static void checkArray(int length, int off, long n, String what) {
        if (off < 0 || n < 0 || off > length - n) {
            throw new IllegalArgumentException(what + ": [" + off + ", " + off + "+" + n
                    + ") is outside an array of " + length);
        }
    }
}
