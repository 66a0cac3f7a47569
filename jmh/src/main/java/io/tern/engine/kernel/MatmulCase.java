package io.tern.engine.kernel;

/** A matrix set up for a benchmark: one call multiplies it by the prepared activations and counts the traffic. */
interface MatmulCase extends AutoCloseable {
    float[] matmul(Traffic t);

    @Override
    void close();
}
