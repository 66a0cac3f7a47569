package io.tern.store.blob;

import io.tern.store.core.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Blobs as files {@code <root>/blobs/sha256/<first two hex digits>/<sha256>}; work files in {@code <root>/tmp}.
 * A blob file only ever appears by atomic rename of a synced file, so it is complete or absent. Adding bytes that
 * are already stored checks the stored copy first and replaces it if it has rotted.
 */
public final class FsBlobStore implements BlobStore {
    private static final Logger LOG = Logger.getLogger(FsBlobStore.class);
    private final Path blobs;
    private final Path scratch;

    public FsBlobStore(Path root) throws IOException {
        this.blobs = root.resolve("blobs").resolve("sha256");
        this.scratch = root.resolve("tmp");
        Files.createDirectories(blobs);
        Files.createDirectories(scratch);
    }

    private Path file(String sha256) {
        Sha256.check(sha256);
        return blobs.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private Path existing(String sha256) {
        Path f = file(sha256);
        if (!Files.isRegularFile(f)) {
            throw StoreException.notFound("blob " + sha256 + " not found");
        }
        return f;
    }

    @Override
    public boolean adopt(Path file, String sha256) throws IOException {
        Path target = file(sha256);
        if (Files.exists(target)) {
            if (intact(sha256)) {
                Files.delete(file);
                return false;
            }
            LOG.warnf("blob %s on disk is corrupt; replacing it with the newly written copy", sha256);
        }
        Files.createDirectories(target.getParent());
        Durable.fsync(file);
        Files.move(file, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Durable.fsyncDir(target.getParent());
        return true;
    }

    private boolean intact(String sha256) throws IOException {
        try {
            verify(sha256);
            return true;
        } catch (StoreException e) {
            return false;
        }
    }

    @Override
    public boolean contains(String sha256) {
        return Files.isRegularFile(file(sha256));
    }

    @Override
    public long size(String sha256) throws IOException {
        return Files.size(existing(sha256));
    }

    @Override
    public long verify(String sha256) throws IOException {
        Path f = existing(sha256);
        MessageDigest d = Sha256.digest();
        ByteBuffer buf = ByteBuffer.allocateDirect(Sha256.BUFFER);
        long size = 0;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            int n;
            while ((n = ch.read(buf)) >= 0) {
                size += n;
                buf.flip();
                d.update(buf);
                buf.clear();
            }
        }
        String actual = Sha256.hex(d);
        if (!actual.equals(sha256)) {
            throw new StoreException(StoreException.Kind.CORRUPT, "blob " + sha256 + " is corrupt: its "
                    + size + " bytes on disk (" + f + ") hash to " + actual + "; it will not be served");
        }
        return size;
    }

    @Override
    public SeekableByteChannel openVerified(String sha256, long offset) throws IOException {
        long size = verify(sha256);
        if (offset < 0 || offset > size) {
            throw StoreException.invalid("offset " + offset + " is outside blob " + sha256 + " of " + size + " bytes");
        }
        FileChannel ch = FileChannel.open(file(sha256), StandardOpenOption.READ);
        return ch.position(offset);
    }

    @Override
    public Path localFile(String sha256) throws IOException {
        verify(sha256);
        return file(sha256);
    }

    @Override
    public Set<String> list() throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(blobs, 2)) {
            s.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.length() == 64 && n.chars().allMatch(c -> Character.digit(c, 16) >= 0))
                    .forEach(out::add);
        }
        return out;
    }

    @Override
    public void delete(String sha256) throws IOException {
        Files.deleteIfExists(file(sha256));
    }

    @Override
    public Path scratchDir() {
        return scratch;
    }

    /** Empties the scratch directory and removes stray non-blob files (e.g. a writer's ".tmp") under blobs/. */
    @Override
    public void cleanLeftovers() throws IOException {
        try (Stream<Path> s = Files.list(scratch)) {
            for (Path p : s.toList()) {
                Durable.deleteTree(p);
            }
        }
        try (Stream<Path> s = Files.walk(blobs, 2)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (p.getFileName().toString().length() != 64) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
