package io.tern.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Bounded on-disk queue of request-log records waiting for Kafka. Records are appended (and
 * fsync'ed) to the active segment file; the sender takes whole sealed segments and deletes a
 * segment once Kafka has acknowledged all of its records. Segments left by an earlier run are
 * sent first. One process per directory (a lock file guards it).
 *
 * <p>Segment format, repeated: {@code int32 length, int32 crc32(payload), payload} with payload =
 * {@code int32 key_length, key (UTF-8), value}. A torn record at the end is ignored on reading.
 */
final class RequestLogSpool implements AutoCloseable {

    /** One record read back from a segment. */
    record Entry(String key, byte[] value) {
    }

    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".log";

    private final Path dir;
    private final long maxBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private long nextSegment;
    private Path active;
    private FileChannel activeChannel;
    private long activeRecords;
    private long bytes;
    private long dropped;

    RequestLogSpool(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve("spool.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            acquired = null;
        }
        lock = acquired;
        if (lock == null) {
            lockChannel.close();
            throw new IOException("request-log spool " + dir + " is in use by another process;"
                    + " give each gateway its own tern.gateway.request-log.spool-dir");
        }
        for (Path p : segments()) {
            bytes += Files.size(p);
            nextSegment = Math.max(nextSegment, number(p) + 1);
        }
    }

    /** Appends a record durably; false when the spool is full and the record was dropped. */
    synchronized boolean append(String key, byte[] value) throws IOException {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int payload = 4 + k.length + value.length;
        if (bytes + 8 + payload > maxBytes) {
            dropped++;
            return false;
        }
        ByteBuffer buf = ByteBuffer.allocate(8 + payload);
        buf.putInt(payload).putInt(0).putInt(k.length).put(k).put(value);
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 8, payload);
        buf.putInt(4, (int) crc.getValue()).flip();
        if (activeChannel == null) {
            active = dir.resolve(String.format("%s%020d%s", PREFIX, nextSegment++, SUFFIX));
            activeChannel = FileChannel.open(active, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            activeRecords = 0;
        }
        while (buf.hasRemaining()) {
            activeChannel.write(buf);
        }
        activeChannel.force(false);
        activeRecords++;
        bytes += 8 + payload;
        return true;
    }

    /** The oldest segment to send; seals the active one when nothing older is waiting. */
    synchronized Optional<Path> nextToSend() throws IOException {
        List<Path> all = segments();
        for (Path p : all) {
            if (!p.equals(active)) {
                return Optional.of(p);
            }
        }
        if (activeChannel != null && activeRecords > 0) {
            Path sealed = active;
            activeChannel.close();
            activeChannel = null;
            active = null;
            return Optional.of(sealed);
        }
        return Optional.empty();
    }

    List<Entry> read(Path segment) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(segment));
        List<Entry> out = new ArrayList<>();
        while (all.remaining() >= 8) {
            int payload = all.getInt();
            int crc = all.getInt();
            if (payload < 4 || payload > all.remaining()) {
                break;
            }
            CRC32 check = new CRC32();
            check.update(all.array(), all.position(), payload);
            if ((int) check.getValue() != crc) {
                break;
            }
            int keyLength = all.getInt();
            byte[] key = new byte[keyLength];
            all.get(key);
            byte[] value = new byte[payload - 4 - keyLength];
            all.get(value);
            out.add(new Entry(new String(key, StandardCharsets.UTF_8), value));
        }
        return out;
    }

    /** Deletes a segment whose records Kafka acknowledged. */
    synchronized void delete(Path segment) throws IOException {
        long size = Files.size(segment);
        Files.delete(segment);
        bytes -= size;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized long dropped() {
        return dropped;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                            && p.getFileName().toString().endsWith(SUFFIX))
                    .sorted().toList();
        }
    }

    private static long number(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
    }

    @Override
    public synchronized void close() throws IOException {
        if (activeChannel != null) {
            activeChannel.close();
        }
        lock.release();
        lockChannel.close();
    }
}
