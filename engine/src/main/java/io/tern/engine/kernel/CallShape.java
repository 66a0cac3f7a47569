package io.tern.engine.kernel;

/** Argument checks shared by every kernel entry point, so a bad call fails with a message instead of a crash. */
final class CallShape {
    private CallShape() {}

    static void check(TernaryMatrix w, Int8Activations x, int r0, int r1, int outLength) {
        check("matrix", w.rows(), w.cols(), x, r0, r1, outLength);
    }

    /** The same checks for a matrix of any kind (what names it in the messages: "int8 matrix", ...). */
    static void check(String what, int rows, int cols, Int8Activations x, int r0, int r1, int outLength) {
        if (cols != x.cols()) {
            throw new IllegalArgumentException(what + " has " + cols + " cols but activations have " + x.cols());
        }
        if (r0 < 0 || r1 > rows || r0 > r1) {
            throw new IndexOutOfBoundsException("row range [" + r0 + ", " + r1 + ") outside [0, " + rows + ")");
        }
        long need = (long) x.tokens() * rows;
        if (outLength < need) {
            throw new IllegalArgumentException("out has " + outLength + " elements, need tokens × rows = " + need);
        }
    }
}
