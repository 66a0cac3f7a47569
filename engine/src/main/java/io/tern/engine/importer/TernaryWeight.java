package io.tern.engine.importer;

/** A linear weight W = s·T, (rows = out, cols = in), as a source of ternary codes and one per-tensor scale. */
interface TernaryWeight {
    int rows();

    int cols();

    /**
     * Codes (-1/0/+1) of rows [first, first + n) into dst[0, n·cols), row-major; returns the scale s that applies to
     * them, or 0 when they carry none (all zero). Called from several threads at once.
     */
    float codes(int first, int n, byte[] dst) throws ImportException;

    /** Source bytes this weight reads (for progress). */
    long sourceBytes();

    /** Where it came from, for summaries and error messages. */
    String source();
}
