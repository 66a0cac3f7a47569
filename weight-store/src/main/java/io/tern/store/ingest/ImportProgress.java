package io.tern.store.ingest;

/** Told how far an import has come: {@code done} of {@code total} bytes ({@code total} -1 when unknown) of a phase. */
@FunctionalInterface
public interface ImportProgress {
    ImportProgress NONE = (phase, done, total) -> { };

    void report(String phase, long done, long total);
}
