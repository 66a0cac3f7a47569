package io.tern.store.blob;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.Set;

/**
 * Content-addressed bytes: every blob is named by its sha256, so the same bytes are stored once. The filesystem
 * implementation is {@link FsBlobStore}; an S3-compatible store can implement the same contract.
 */
public interface BlobStore {

    /**
     * Takes a complete local file whose sha256 the caller computed and makes it the blob of that name. If the blob
     * exists already the file is deleted (dedup). The file must be in {@link #scratchDir()}.
     *
     * @return true when the blob is new
     */
    boolean adopt(Path file, String sha256) throws IOException;

    boolean contains(String sha256);

    /** Size in bytes; NOT_FOUND if absent. */
    long size(String sha256) throws IOException;

    /**
     * Reads the whole blob through SHA-256 and compares with its name; CORRUPT (naming the blob) on a mismatch.
     * Returns the size.
     */
    long verify(String sha256) throws IOException;

    /** Verifies the blob, then opens it positioned at {@code offset}. A corrupted blob is never opened. */
    SeekableByteChannel openVerified(String sha256, long offset) throws IOException;

    /** A local file with the blob's bytes (verified first), for the engine to map; do not modify it. */
    Path localFile(String sha256) throws IOException;

    /** All blob names. */
    Set<String> list() throws IOException;

    void delete(String sha256) throws IOException;

    /** A directory on the same file system as the blobs, for work files that are later adopted. */
    Path scratchDir();

    /** Removes leftovers of interrupted writes (temp files); called at start-up, before any write. */
    void cleanLeftovers() throws IOException;
}
