package io.tern.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Pipelines the gateway can schedule requests on. Empty until pipelines are assembled from workers. */
@ApplicationScoped
public class PipelineRegistry {

    private final List<Pipeline> pipelines = new CopyOnWriteArrayList<>();

    public void add(Pipeline pipeline) {
        pipelines.add(pipeline);
    }

    public void remove(Pipeline pipeline) {
        pipelines.remove(pipeline);
    }

    public void clear() {
        pipelines.clear();
    }

    /** All pipelines, sorted by model then version. */
    public List<Pipeline> all() {
        return pipelines.stream()
                .sorted(Comparator.comparing(Pipeline::model).thenComparing(Pipeline::version))
                .toList();
    }

    public boolean isEmpty() {
        return pipelines.isEmpty();
    }

    /** True when some pipeline serves {@code model}, and {@code version} unless that is empty. */
    public boolean serves(String model, String version) {
        return pipelines.stream().anyMatch(p -> p.model().equals(model)
                && (version.isEmpty() || p.version().equals(version)));
    }
}
