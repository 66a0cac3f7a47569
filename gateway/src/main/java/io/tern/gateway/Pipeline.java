package io.tern.gateway;

import java.util.List;

/** A chain of workers that together hold every layer of one model version, in layer order. */
public record Pipeline(String model, String version, List<String> workers) {

    public Pipeline {
        if (workers.isEmpty()) {
            throw new IllegalArgumentException("pipeline for " + model + "@" + version + " has no workers");
        }
        workers = List.copyOf(workers);
    }
}
