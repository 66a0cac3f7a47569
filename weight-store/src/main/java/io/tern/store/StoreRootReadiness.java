package io.tern.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the store root is a readable and writable directory. */
@Readiness
@ApplicationScoped
public class StoreRootReadiness implements HealthCheck {

    @Inject
    StoreRoot root;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("store-root")
                .withData("path", root.path().toString());
        return root.problem()
                .map(problem -> response.down().withData("problem", problem).build())
                .orElseGet(() -> response.up().build());
    }
}
