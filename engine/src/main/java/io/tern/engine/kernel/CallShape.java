package io.tern.engine.kernel;

/** Argument checks shared by every kernel entry point, so a bad call fails with a message instead of a crash. */
final class CallShape {
    private CallShape() {}

    static void check(TernaryMatrix w, Int8Activations x, int r0, int r1, int outLength) {
        if (w.cols() != x.cols()) {
            throw new IllegalArgumentException("matrix has " + w.cols() + " cols but activations have " + x.cols());
        }
        if (r0 < 0 || r1 > w.rows() || r0 > r1) {
            throw new IndexOutOfBoundsException("row range [" + r0 + ", " + r1 + ") outside [0, " + w.rows() + ")");
        }
        long need = (long) x.tokens() * w.rows();
        if (outLength < need) {
            throw new IllegalArgumentException("out has " + outLength + " elements, need tokens × rows = " + need);
        }
    }
}
