package io.tern.worker;

import io.tern.proto.store.v1.BlobChunk;
import io.tern.proto.store.v1.DownloadBlobRequest;
import io.tern.proto.store.v1.TernWeightStoreGrpc.TernWeightStoreBlockingStub;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import org.jboss.logging.Logger;

/**
 * Fetches a content-addressed blob from the weight store into the cache directory as {@code <sha256>.gguf}. A
 * verified file already there is reused; a {@code <sha256>.gguf.part} left by a broken download is resumed from its
 * length; the whole file is checked against the sha256 before it is renamed into place, so a half-written or corrupt
 * blob is never loaded.
 */
final class BlobDownloader {
    private static final Logger LOG = Logger.getLogger(BlobDownloader.class);
    private static final int CHUNK_BYTES = 1 << 20;

    /** How a fetch went, for logs and tests. */
    record Result(Path file, boolean reused, long resumedFrom, long downloadedBytes) {
    }

    private final Path cacheDir;
    private final TernWeightStoreBlockingStub store;

    BlobDownloader(Path cacheDir, TernWeightStoreBlockingStub store) {
        this.cacheDir = cacheDir;
        this.store = store;
    }

    Result fetch(String sha256, long size) throws IOException {
        Files.createDirectories(cacheDir);
        Path done = cacheDir.resolve(sha256 + ".gguf");
        Path part = cacheDir.resolve(sha256 + ".gguf.part");
        if (Files.exists(done)) {
            String actual = sha256Of(done);
            if (actual.equals(sha256)) {
                LOG.infof("reusing cached blob %s", done);
                return new Result(done, true, 0, 0);
            }
            LOG.warnf("cached blob %s has sha256 %s, not its name: downloading again", done, actual);
            Files.delete(done);
        }
        long resumedFrom = Files.exists(part) ? Files.size(part) : 0;
        if (resumedFrom > size) {
            Files.delete(part);
            resumedFrom = 0;
        }
        long downloaded = download(sha256, size, part, resumedFrom);
        String actual = sha256Of(part);
        if (!actual.equals(sha256)) {
            Files.delete(part);
            throw new IOException("downloaded blob has sha256 " + actual + ", expected " + sha256
                    + (resumedFrom > 0 ? " (resumed from byte " + resumedFrom + "; the partial file is discarded)" : ""));
        }
        Files.move(part, done, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.infof("downloaded blob %s (%d bytes, resumed from %d)", done, size, resumedFrom);
        return new Result(done, false, resumedFrom, downloaded);
    }

    private long download(String sha256, long size, Path part, long from) throws IOException {
        if (from == size) {
            return 0;
        }
        DownloadBlobRequest request = DownloadBlobRequest.newBuilder()
                .setSha256(sha256).setOffset(from).setChunkSize(CHUNK_BYTES).build();
        long offset = from;
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.position(from);
            Iterator<BlobChunk> chunks = store.downloadBlob(request);
            boolean first = true;
            boolean last = false;
            while (chunks.hasNext()) {
                BlobChunk c = chunks.next();
                if (first) {
                    check(c.getSha256().isEmpty() || c.getSha256().equals(sha256),
                            "store answered blob " + sha256 + " with blob " + c.getSha256());
                    check(c.getTotalSize() == 0 || c.getTotalSize() == size,
                            "blob " + sha256 + " is " + c.getTotalSize() + " bytes, the shard plan says " + size);
                    first = false;
                }
                check(c.getOffset() == offset, "store sent bytes at offset " + c.getOffset() + ", expected " + offset);
                ByteBuffer data = c.getData().asReadOnlyByteBuffer();
                while (data.hasRemaining()) {
                    out.write(data);
                }
                offset += c.getData().size();
                check(offset <= size, "store sent more than the blob's " + size + " bytes");
                if (c.getLast()) {
                    last = true;
                    break;
                }
            }
            out.force(false);
            check(last && offset == size, "download of blob " + sha256 + " stopped at byte " + offset + " of " + size
                    + "; the partial file is kept to resume");
        }
        return offset - from;
    }

    private static void check(boolean ok, String message) throws IOException {
        if (!ok) {
            throw new IOException(message);
        }
    }

    static String sha256Of(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
