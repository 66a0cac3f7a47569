package io.tern.worker;

/**
 * A validated step of a Forward request, before it is bound to a sequence: either token ids (first shard) or hidden
 * rows (n, dim) (later shards).
 *
 * @param maxPositions KV positions to reserve if the step creates the sequence (already clamped/validated)
 */
record StepInput(String sequenceId, int start, int count, int[] tokens, float[] hidden, boolean allLogits,
                 int maxPositions) {

    int end() {
        return start + count;
    }
}
