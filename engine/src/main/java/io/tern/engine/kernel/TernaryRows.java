package io.tern.engine.kernel;

/** Supplies ternary values row by row while packing: fills dst[0..cols) with -1, 0 or +1 for row r and returns that row's scale. */
@FunctionalInterface
public interface TernaryRows {
    float row(int r, byte[] dst);
}
