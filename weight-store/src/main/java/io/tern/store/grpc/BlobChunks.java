package io.tern.store.grpc;

import com.google.protobuf.ByteString;
import io.tern.proto.store.v1.BlobChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The chunks of one blob from an offset, read lazily as the stream demands them. The first chunk also carries the
 * blob's total size and sha256; the last has {@code last = true} (an empty blob or an offset at its end gives one
 * empty last chunk).
 */
final class BlobChunks implements Iterator<BlobChunk>, AutoCloseable {
    private final SeekableByteChannel channel;
    private final String sha256;
    private final long size;
    private final int chunkSize;
    private long offset;
    private boolean first = true;
    private boolean done;

    BlobChunks(SeekableByteChannel channel, String sha256, long size, long offset, int chunkSize) {
        this.channel = channel;
        this.sha256 = sha256;
        this.size = size;
        this.offset = offset;
        this.chunkSize = chunkSize;
    }

    @Override
    public boolean hasNext() {
        return !done;
    }

    @Override
    public BlobChunk next() {
        if (done) {
            throw new NoSuchElementException();
        }
        int n = (int) Math.min(chunkSize, size - offset);
        ByteBuffer buf = ByteBuffer.allocate(n);
        try {
            while (buf.hasRemaining()) {
                if (channel.read(buf) < 0) {
                    throw new IOException("blob " + sha256 + " ended at " + (offset + buf.position()) + " of " + size);
                }
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
        buf.flip();
        BlobChunk.Builder b = BlobChunk.newBuilder().setOffset(offset).setData(ByteString.copyFrom(buf));
        if (first) {
            b.setTotalSize(size).setSha256(sha256);
            first = false;
        }
        offset += n;
        if (offset >= size) {
            b.setLast(true);
            done = true;
            close();
        }
        return b.build();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing to lose.
        }
    }
}
