package io.tern.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the store root is a readable and writable directory and the store's index is loaded. */
@Readiness
@ApplicationScoped
public class StoreRootReadiness implements HealthCheck {

    @Inject
    StoreRoot root;
    @Inject
    StoreHolder holder;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("store-root")
                .withData("path", root.path().toString());
        Optional<String> problem = root.problem().or(holder::problem);
        return problem
                .map(p -> response.down().withData("problem", p).build())
                .orElseGet(() -> response.up().withData("models", holder.store().models().size()).build());
    }
}
