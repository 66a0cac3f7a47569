package io.tern.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when at least one pipeline can take requests. */
@Readiness
@ApplicationScoped
public class PipelineReadiness implements HealthCheck {

    @Inject
    PipelineRegistry registry;

    @Override
    public HealthCheckResponse call() {
        int count = registry.all().size();
        return HealthCheckResponse.named("pipelines")
                .status(count > 0)
                .withData("count", count)
                .withData("status", count > 0 ? "serving" : "no pipelines")
                .build();
    }
}
