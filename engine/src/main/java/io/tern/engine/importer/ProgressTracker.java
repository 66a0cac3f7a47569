package io.tern.engine.importer;

/** Sums bytes done from several threads and reports them, never going backwards. */
final class ProgressTracker {
    private final ImportProgress callback;
    private final long total;
    private long done;

    ProgressTracker(ImportProgress callback, long total) {
        this.callback = callback;
        this.total = Math.max(total, 1);
    }

    synchronized void advance(long bytes) {
        done = Math.min(total, done + bytes);
        callback.update(done, total);
    }

    synchronized void finish() {
        done = total;
        callback.update(done, total);
    }
}
