package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.quant.TernaryCodec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * Writes a {@link TernaryWeight} as one I2_S tensor in a single pass over row chunks converted in parallel. I2_S
 * blocks hold codes only; the per-tensor float32 scale sits after the packed codes (total/4 bytes in), so it is
 * written last, once every chunk has reported the same scale.
 */
final class I2sEncoder {
    /** Values per chunk, about; a chunk is whole rows and a multiple of the I2_S block. */
    private static final int CHUNK_VALUES = 1 << 20;
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private I2sEncoder() {
    }

    /** Checks that the weight fits I2_S (a multiple of 128 values) before anything is written. */
    static void check(String name, TernaryWeight w) throws ImportException {
        long total = (long) w.rows() * w.cols();
        if (total % GgmlType.I2_S.blockSize() != 0) {
            throw new ImportException("tensor '" + name + "' (" + w.rows() + " x " + w.cols() + ") has " + total
                    + " values; I2_S needs a multiple of " + GgmlType.I2_S.blockSize());
        }
    }

    /** Encodes the weight into dst (exactly I2_S byteSize(rows·cols) bytes); returns the scale written. */
    static float encode(TernaryWeight w, MemorySegment dst, LongConsumer progress) throws ImportException {
        int rows = w.rows();
        int cols = w.cols();
        long total = (long) rows * cols;
        int rowsPerChunk = rowsPerChunk(cols);
        int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        long bytesPerRow = Math.max(1, w.sourceBytes() / rows);
        TernaryCodec i2s = TensorCodec.ternary(GgmlType.I2_S);
        float[] scales = new float[chunks];
        AtomicReference<ImportException> failure = new AtomicReference<>();
        IntStream.range(0, chunks).parallel().forEach(c -> {
            if (failure.get() != null) {
                return;
            }
            int first = c * rowsPerChunk;
            int n = Math.min(rowsPerChunk, rows - first);
            byte[] codes = new byte[n * cols];
            try {
                scales[c] = w.codes(first, n, codes);
            } catch (ImportException e) {
                failure.compareAndSet(null, e);
                return;
            }
            i2s.encodeTernary(codes, 0, total, (long) first * cols, codes.length, 0f, dst);
            progress.accept(bytesPerRow * n);
        });
        if (failure.get() != null) {
            throw failure.get();
        }
        float scale = 0;
        int at = -1;
        for (int c = 0; c < chunks; c++) {
            if (scales[c] == 0) {
                continue;
            }
            if (at < 0) {
                scale = scales[c];
                at = c;
            } else if (Float.compare(scale, scales[c]) != 0) {
                throw new ImportException("tensor '" + w.source() + "' has scale " + scales[c] + " from row "
                        + c * rowsPerChunk + " but " + scale + " from row " + at * rowsPerChunk
                        + "; only one scale per tensor can be imported");
            }
        }
        if (!Float.isFinite(scale) || scale < 0) {
            throw new ImportException("tensor '" + w.source() + "' has scale " + scale
                    + "; a finite, non-negative scale is needed");
        }
        dst.set(F32_LE, total / 4, scale);
        return scale;
    }

    /** Whole rows, about CHUNK_VALUES values, and a multiple of 128 values unless it is the last chunk. */
    private static int rowsPerChunk(int cols) {
        int unit = 128 / gcd(cols, 128);
        int rows = Math.max(1, CHUNK_VALUES / cols);
        return Math.max(unit, rows / unit * unit);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
