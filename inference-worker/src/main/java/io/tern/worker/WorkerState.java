package io.tern.worker;

/** Lifecycle of a worker, in order; FAILED can follow any state before READY. */
public enum WorkerState {
    /** Process up, shard loading not begun. */
    STARTING,
    /** Fetching the shard blob from the weight store. */
    DOWNLOADING,
    /** Mapping the GGUF and packing weights off-heap. */
    LOADING,
    /** Running forward steps so the JIT compiles the kernels. */
    WARMING,
    /** Serving Forward. */
    READY,
    /** Gave up; the reason is in Describe and readiness. */
    FAILED
}
