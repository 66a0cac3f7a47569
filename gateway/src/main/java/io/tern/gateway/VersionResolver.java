package io.tern.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns a model selector (name + optional version or alias) into the exact version to run.
 * Without a pin: a configured route ({@link RolloutPolicy}) if the model has one, else the store's
 * "default" alias, else the newest (last in sort order) version that has a pipeline.
 */
@ApplicationScoped
public class VersionResolver {

    static final String DEFAULT_ALIAS = "default";

    /** The version to run, and how it was chosen (alias and route are empty when not used). */
    public record Resolution(String model, String version, String alias, String route) {
    }

    @Inject
    GatewayConfig config;

    @Inject
    PipelineRegistry registry;

    @Inject
    WeightStore store;

    private final Map<String, RolloutPolicy> policies = new ConcurrentHashMap<>();

    public Resolution resolve(String model, String version, String alias) {
        if (model == null || model.isBlank()) {
            throw GatewayException.invalid("model", "no model given");
        }
        if (!registry.hasModel(model)) {
            throw new GatewayException(GatewayException.Kind.NOT_FOUND,
                    "model '" + model + "' is not served here (models with pipelines: " + servedModels() + ")", "model");
        }
        if (!version.isEmpty()) {
            return new Resolution(model, requireServed(model, version), "", "");
        }
        if (!alias.isEmpty()) {
            return new Resolution(model, requireServed(model, resolveAlias(model, alias)), alias, "");
        }
        String route = config.routes().get(model);
        if (route != null) {
            String target = policies.computeIfAbsent(model, m -> RolloutPolicy.parse(route)).pick(ThreadLocalRandom.current());
            if (registry.serves(model, target)) {
                return new Resolution(model, target, "", target);
            }
            return new Resolution(model, requireServed(model, resolveAlias(model, target)), target, target);
        }
        var fromStore = store.client().flatMap(s -> {
            try {
                return s.resolveAlias(model, DEFAULT_ALIAS);
            } catch (RuntimeException e) {
                return java.util.Optional.empty();
            }
        });
        if (fromStore.isPresent() && registry.serves(model, fromStore.get())) {
            return new Resolution(model, fromStore.get(), DEFAULT_ALIAS, "");
        }
        return new Resolution(model, registry.versions(model).getLast(), "", "");
    }

    private String resolveAlias(String model, String alias) {
        var client = store.client().orElseThrow(() -> new GatewayException(GatewayException.Kind.NOT_FOUND,
                "alias '" + alias + "' of model '" + model + "' cannot be resolved: no weight store is configured", "model"));
        return client.resolveAlias(model, alias).orElseThrow(() -> new GatewayException(GatewayException.Kind.NOT_FOUND,
                "model '" + model + "' has no alias '" + alias + "'", "model"));
    }

    private String requireServed(String model, String version) {
        if (!registry.serves(model, version)) {
            throw new GatewayException(GatewayException.Kind.NOT_FOUND, "version '" + version + "' of model '" + model
                    + "' has no ready pipeline (ready versions: " + registry.versions(model) + ")", "model");
        }
        return version;
    }

    private List<String> servedModels() {
        return registry.all().stream().map(Pipeline::model).distinct().toList();
    }
}
