package io.tern.engine.model;

import io.tern.engine.quant.TensorCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Token embedding table (vocab, dim), read a row at a time: from the mapped file, or — when the model gives its file
 * pages back after load — with positional reads, so lookups of random tokens never map pages (each fault on a
 * mapping also maps its neighbours; over a day of traffic that would bring the whole 657 MB table back into RSS).
 */
public final class Embedding implements AutoCloseable {
    private final MemorySegment data;   // (vocab, dim) mapped; null when reading from the channel
    private final FileChannel channel;  // null when reading from the mapping
    private final long fileOffset;
    private final long rowBytes;
    private final TensorCodec codec;
    private final int vocab;
    private final int dim;
    /** A row read with pread, per thread: reused by every lookup (one token a step allocates nothing here). */
    private final ThreadLocal<MemorySegment> rowBuffer;

    private Embedding(MemorySegment data, FileChannel channel, long fileOffset, long rowBytes, TensorCodec codec, int vocab, int dim) {
        this.data = data;
        this.channel = channel;
        this.fileOffset = fileOffset;
        this.rowBytes = rowBytes;
        this.codec = codec;
        this.vocab = vocab;
        this.dim = dim;
        this.rowBuffer = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(rowBytes, 64));
    }

    /** Rows decoded straight from the mapped tensor. */
    public static Embedding mapped(MemorySegment data, TensorCodec codec, int vocab, int dim) {
        return new Embedding(data, null, 0, data.byteSize() / vocab, codec, vocab, dim);
    }

    /** Rows read with pread from file at [offset, offset + bytes): whole blocks per row, as dim is a multiple of every block size. */
    public static Embedding fromFile(Path file, long offset, long bytes, TensorCodec codec, int vocab, int dim) throws IOException {
        return new Embedding(null, FileChannel.open(file, StandardOpenOption.READ), offset, bytes / vocab, codec, vocab, dim);
    }

    public int vocab() { return vocab; }

    /** Bytes of one row in the file. */
    public long rowBytes() { return rowBytes; }

    /** Writes the embedding of token into dst[off..off+dim). */
    public void lookup(int token, float[] dst, int off) {
        if (token < 0 || token >= vocab)
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + vocab + ")");
        if (channel == null) {
            codec.decode(data, (long) vocab * dim, (long) token * dim, dst, off, dim);
            return;
        }
        MemorySegment segment = rowBuffer.get();
        ByteBuffer row = segment.asByteBuffer();
        try {
            long at = fileOffset + token * rowBytes;
            while (row.hasRemaining()) {
                if (channel.read(row, at + row.position()) < 0) throw new IOException("model file ends inside embedding row " + token);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading embedding row " + token + ": " + e.getMessage(), e);
        }
        codec.decode(segment, dim, 0, dst, off, dim);
    }

    @Override
    public void close() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
