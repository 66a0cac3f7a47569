package io.tern.worker;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** float32 arrays as the worker API carries them: little-endian bytes, row-major. */
final class Float32Bytes {

    private Float32Bytes() {
    }

    static ByteString encode(float[] values, int from, int count) {
        ByteBuffer b = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values, from, count);
        return ByteString.copyFrom(b.array());
    }

    static float[] decode(ByteString bytes) {
        float[] out = new float[bytes.size() / Float.BYTES];
        bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
