package io.tern.worker;

import java.util.List;

/** One scheduler step: a chunk of each of several sequences' steps, run together through the layers. */
record Batch(List<Chunk> chunks) {

    /** Rows [offset, offset + count) of a task's step, at sequence positions start + offset onwards. */
    record Chunk(StepTask task, int offset, int count) {

        int position() {
            return task.start() + offset;
        }

        boolean completesStep() {
            return offset + count == task.count();
        }
    }

    int tokens() {
        int n = 0;
        for (Chunk c : chunks) {
            n += c.count();
        }
        return n;
    }
}
