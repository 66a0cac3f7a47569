package io.tern.gateway;

import java.util.List;

/** The workers one sequence runs on, first shard first; the sequence's KV cache lives on them. */
public record Route(Pipeline pipeline, List<WorkerClient> hops) implements AutoCloseable {

    public List<String> addresses() {
        return hops.stream().map(WorkerClient::address).toList();
    }

    /** Frees the sequence on every hop and stops counting it as load. */
    public void release(String sequenceId) {
        for (WorkerClient hop : hops) {
            try {
                hop.release(sequenceId);
            } catch (RuntimeException ignored) {
                // Best effort: the worker drops idle sequences on its own.
            }
        }
    }

    @Override
    public void close() {
        hops.forEach(WorkerClient::leave);
    }
}
