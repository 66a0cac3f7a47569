package io.tern.store.service;

import io.tern.store.blob.Sha256;
import io.tern.store.ingest.ImportProgress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/** Copies a stream to a file while hashing it and reporting progress. */
record SourceCopy(String sha256, long size) {

    static SourceCopy copy(InputStream in, Path out, String phase, long total, ImportProgress progress) throws IOException {
        MessageDigest d = Sha256.digest();
        byte[] buf = new byte[1 << 20];
        long done = 0;
        progress.report(phase, 0, total);
        try (OutputStream os = Files.newOutputStream(out)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                os.write(buf, 0, n);
                d.update(buf, 0, n);
                done += n;
                progress.report(phase, done, total);
            }
        }
        return new SourceCopy(Sha256.hex(d), done);
    }

    /** A directory's fingerprint: sha256 over its files' relative names and contents, in name order. */
    static SourceCopy ofDirectory(Path dir) throws IOException {
        MessageDigest d = Sha256.digest();
        long size = 0;
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                d.update(dir.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                d.update(java.util.HexFormat.of().parseHex(Sha256.of(f)));
                size += Files.size(f);
            }
        }
        return new SourceCopy(Sha256.hex(d), size);
    }
}
