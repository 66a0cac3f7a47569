package io.tern.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Pipelines the gateway can schedule requests on, replaced as a whole after each discovery round. */
@ApplicationScoped
public class PipelineRegistry {

    private volatile List<Pipeline> pipelines = List.of();

    public void replace(List<Pipeline> current) {
        pipelines = current.stream()
                .sorted(Comparator.comparing(Pipeline::model).thenComparing(Pipeline::version))
                .toList();
    }

    /** All pipelines, sorted by model then version. */
    public List<Pipeline> all() {
        return pipelines;
    }

    public boolean isEmpty() {
        return pipelines.isEmpty();
    }

    public boolean hasModel(String model) {
        return pipelines.stream().anyMatch(p -> p.model().equals(model));
    }

    /** True when some pipeline serves {@code model}, and {@code version} unless that is empty. */
    public boolean serves(String model, String version) {
        return pipelines.stream().anyMatch(p -> p.model().equals(model)
                && (version.isEmpty() || p.version().equals(version)));
    }

    /** Versions of a model with a pipeline, sorted. */
    public List<String> versions(String model) {
        return pipelines.stream().filter(p -> p.model().equals(model)).map(Pipeline::version).distinct().sorted().toList();
    }

    /** The least-loaded pipeline of a version. */
    public Optional<Pipeline> pick(String model, String version) {
        return pipelines.stream().filter(p -> p.model().equals(model) && p.version().equals(version))
                .min(Comparator.comparingInt(Pipeline::load));
    }
}
