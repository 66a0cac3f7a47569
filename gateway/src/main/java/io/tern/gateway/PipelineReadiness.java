package io.tern.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every configured model ({@code tern.gateway.models}) has at least one complete
 * pipeline, or, with no models configured, when any pipeline exists.
 */
@Readiness
@ApplicationScoped
public class PipelineReadiness implements HealthCheck {

    @Inject
    PipelineRegistry registry;

    @Inject
    GatewayConfig config;

    @Override
    public HealthCheckResponse call() {
        int count = registry.all().size();
        List<String> missing = config.models().orElse(List.of()).stream()
                .filter(m -> !registry.hasModel(m)).toList();
        boolean up = count > 0 && missing.isEmpty();
        String status = up ? "serving" : count == 0 ? "no pipelines" : "no pipeline for " + String.join(", ", missing);
        return HealthCheckResponse.named("pipelines")
                .status(up)
                .withData("count", count)
                .withData("status", status)
                .build();
    }
}
