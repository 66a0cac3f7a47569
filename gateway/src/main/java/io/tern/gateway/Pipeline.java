package io.tern.gateway;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A chain of stages that together run every layer of one model version, in layer order. Each stage
 * is a layer range served by one or more interchangeable workers (replicas).
 */
public record Pipeline(String model, String version, List<Stage> stages, int contextLength) {

    /** Layers [layerStart, layerEnd) and the workers that hold exactly that range. */
    public record Stage(int layerStart, int layerEnd, List<WorkerClient> replicas) {
        public Stage {
            if (replicas.isEmpty()) {
                throw new IllegalArgumentException("stage [" + layerStart + ", " + layerEnd + ") has no workers");
            }
            replicas = List.copyOf(replicas);
        }

        WorkerClient leastLoaded() {
            return replicas.stream().min(Comparator.comparingInt(WorkerClient::load)).orElseThrow();
        }
    }

    public Pipeline {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("pipeline for " + model + "@" + version + " has no stages");
        }
        stages = List.copyOf(stages);
    }

    /** Summed load of the least-loaded replica of every stage. */
    public int load() {
        return stages.stream().mapToInt(s -> s.leastLoaded().load()).sum();
    }

    /** Picks the least-loaded replica per stage and counts the new sequence on each. */
    public Route route() {
        List<WorkerClient> hops = new ArrayList<>(stages.size());
        for (Stage stage : stages) {
            WorkerClient w = stage.leastLoaded();
            w.enter();
            hops.add(w);
        }
        return new Route(this, hops);
    }

    public List<String> addresses() {
        return stages.stream().flatMap(s -> s.replicas().stream()).map(WorkerClient::address).toList();
    }
}
