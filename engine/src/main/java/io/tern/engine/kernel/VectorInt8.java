package io.tern.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;

/**
 * Vector API int8 × int8 rows ({@link Int8Matrix}). Weight bytes are loaded as int16 lanes (lane j = bytes 2j, 2j+1)
 * and sign-extended with shifts; the activations come pre-widened in {@link Int8Activations}' int16 order, where
 * within each 64 columns the even columns come first, then the odd ones. A pair of products fits int16
 * (2·127·127 < 32768), so each pair is widened to int32 right away.
 */
final class VectorInt8 {
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorInt8() {}

    static void run(Int8Matrix w, Int8Activations x, int r0, int r1, int[] iout, float[] fout) {
        w.check(x, r0, r1, iout != null ? iout.length : fout.length);
        short[] a = x.q16Array();
        int stride = x.stride();
        for (int r = r0; r < r1; r++) {
            for (int t = 0; t < x.tokens(); t++) {
                int d = dot(w.data(), r * w.rowBytes(), w.rowBytes(), a, t * stride);
                int i = t * w.rows() + r;
                if (iout != null) iout[i] = d;
                else fout[i] = w.scale(r) * d / x.scale(t);
            }
        }
    }

    private static int dot(MemorySegment data, long rowOff, long rowBytes, short[] a, int aOff) {
        IntVector acc = IntVector.zero(I);
        for (int c0 = 0; c0 < rowBytes; c0 += 64) {
            for (int i = 0; i < 64 / (2 * L); i++) {
                ShortVector v = ShortVector.fromMemorySegment(S, data, rowOff + c0 + 2L * L * i, LE);
                int o = aOff + c0 + L * i;
                ShortVector even = v.lanewise(LSHL, 8).lanewise(ASHR, 8).mul(ShortVector.fromArray(S, a, o));
                ShortVector odd = v.lanewise(ASHR, 8).mul(ShortVector.fromArray(S, a, o + 32));
                acc = acc.add(widenSum(even.add(odd)));
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** int16 lanes summed pairwise into int32 lanes. */
    private static IntVector widenSum(ShortVector s) {
        IntVector pairs = s.reinterpretAsInts();
        return pairs.lanewise(LSHL, 16).lanewise(ASHR, 16).add(pairs.lanewise(ASHR, 16));
    }
}
