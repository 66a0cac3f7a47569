package io.tern.store.blob;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The write discipline of the store: write a temp file, fsync it, rename it into place atomically, fsync the
 * directory. After a crash a name either does not exist or holds complete, durable content.
 */
public final class Durable {

    private Durable() {
    }

    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Flushes a directory's entries (new names, renames); a no-op where the platform cannot open directories. */
    public static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (Files.isDirectory(dir) && System.getProperty("os.name", "").startsWith("Windows")) {
                return;
            }
            throw e;
        }
    }

    /** Atomically renames {@code src} (a synced file or directory) to {@code dst} and syncs dst's directory. */
    public static void move(Path src, Path dst) throws IOException {
        try {
            Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + src + " to " + dst + " atomically: they must be on one file system", e);
        }
        fsyncDir(dst.getParent());
    }

    /** Writes bytes to {@code target} via a synced temp file in {@code tmpDir} and an atomic rename. */
    public static void write(Path target, byte[] bytes, Path tmpDir) throws IOException {
        Files.createDirectories(tmpDir);
        Path tmp = Files.createTempFile(tmpDir, target.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            fsync(tmp);
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Deletes a file or a whole directory tree; missing is fine. */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
