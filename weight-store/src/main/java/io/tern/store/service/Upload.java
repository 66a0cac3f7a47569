package io.tern.store.service;

import io.tern.store.ingest.ImportProgress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Receives an uploaded body into a work file, reporting progress; the importer hashes it afterwards. */
final class Upload {
    static final String PHASE = "received";

    private Upload() {
    }

    /** Copies {@code in} to {@code out}; returns the bytes received. {@code total} is -1 when unknown. */
    static long receive(InputStream in, Path out, long total, ImportProgress progress) throws IOException {
        byte[] buf = new byte[1 << 20];
        long done = 0;
        progress.report(PHASE, 0, total);
        try (OutputStream os = Files.newOutputStream(out)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                os.write(buf, 0, n);
                done += n;
                progress.report(PHASE, done, total);
            }
        }
        return done;
    }
}
