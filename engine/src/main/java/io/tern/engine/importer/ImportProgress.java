package io.tern.engine.importer;

/**
 * Progress of an import in bytes: source bytes hashed plus source tensor bytes converted, out of the total of both.
 * Called from worker threads, with non-decreasing {@code done}; keep it cheap.
 */
@FunctionalInterface
public interface ImportProgress {
    ImportProgress NONE = (done, total) -> {
    };

    void update(long done, long total);
}
