package io.tern.engine.kernel;

/**
 * -1/0/+1 weights of one linear layer (rows × cols), one float scale per row, packed off-heap in the
 * layout its kernel reads fastest. Only the kernel that packed a matrix can read it.
 */
public interface TernaryMatrix {
    int rows();

    int cols();

    float scale(int row);

    /** Bytes of packed weights (without the scales): what one pass over all rows streams from memory. */
    long packedBytes();
}
