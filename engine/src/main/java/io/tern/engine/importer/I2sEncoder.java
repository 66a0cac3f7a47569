package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.quant.TernaryCodec;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/** Writes a {@link TernaryWeight} as one I2_S tensor, in row chunks converted in parallel. */
final class I2sEncoder {
    /** Values per chunk, about; a chunk is whole rows and a multiple of the I2_S block. */
    private static final int CHUNK_VALUES = 1 << 20;

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

    /** Encodes the weight with the given scale into dst (exactly I2_S byteSize(rows·cols) bytes). */
    static void encode(TernaryWeight w, float scale, MemorySegment dst, LongConsumer progress) throws ImportException {
        int rows = w.rows();
        int cols = w.cols();
        long total = (long) rows * cols;
        int rowsPerChunk = rowsPerChunk(cols);
        int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        long bytesPerRow = Math.max(1, w.sourceBytes() / rows);
        TernaryCodec i2s = TensorCodec.ternary(GgmlType.I2_S);
        AtomicReference<ImportException> failure = new AtomicReference<>();
        IntStream.range(0, chunks).parallel().forEach(c -> {
            if (failure.get() != null) {
                return;
            }
            int first = c * rowsPerChunk;
            int n = Math.min(rowsPerChunk, rows - first);
            byte[] codes = new byte[n * cols];
            try {
                w.codes(first, n, codes);
            } catch (ImportException e) {
                failure.compareAndSet(null, e);
                return;
            }
            i2s.encodeTernary(codes, 0, total, (long) first * cols, codes.length, scale, dst);
            progress.accept(bytesPerRow * n);
        });
        if (failure.get() != null) {
            throw failure.get();
        }
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
