package io.tern.engine.kernel;

import java.util.SplittableRandom;

/** A random ternary matrix and float activations, with the integer answer computed the plainest way. */
final class TernaryCase {
    final int rows, cols, tokens;
    final byte[][] w;      // (rows, cols)
    final float[] scales;  // (rows,)
    final float[] x;       // (tokens, cols)
    final Int8Activations act;

    TernaryCase(SplittableRandom rnd, int rows, int cols, int tokens) {
        this.rows = rows;
        this.cols = cols;
        this.tokens = tokens;
        this.w = new byte[rows][cols];
        this.scales = new float[rows];
        int style = rnd.nextInt(4);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                w[r][c] = (byte) switch (style) {
                    case 0 -> 1;                                  // all +1: largest sums
                    case 1 -> r % 2 == 0 ? -1 : rnd.nextInt(3) - 1;
                    default -> rnd.nextInt(3) - 1;
                };
            }
            scales[r] = (float) (0.01 + rnd.nextDouble());
        }
        this.x = new float[tokens * cols];
        for (int t = 0; t < tokens; t++) {
            int kind = t == 0 && tokens > 2 ? 0 : rnd.nextInt(5);
            for (int c = 0; c < cols; c++) {
                x[t * cols + c] = switch (kind) {
                    case 0 -> 0f;                                   // all-zero token
                    case 1 -> 3f;                                   // every q = +127
                    case 2 -> rnd.nextBoolean() ? 5f : -5f;         // every q = ±127
                    default -> (float) (rnd.nextGaussian() * 2);
                };
            }
        }
        this.act = new Int8Activations(tokens + rnd.nextInt(3), cols);
        act.quantize(x, 0, tokens);
    }

    TernaryRows source() {
        return (r, dst) -> {
            System.arraycopy(w[r], 0, dst, 0, cols);
            return scales[r];
        };
    }

    int expectedDot(int t, int r) {
        int s = 0;
        for (int c = 0; c < cols; c++) s += w[r][c] * act.q(t, c);
        return s;
    }

    @Override
    public String toString() {
        return rows + "×" + cols + ", " + tokens + " tokens";
    }
}
