package io.tern.worker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the shard is loaded and warmed up; otherwise DOWN with the state and its reason. */
@Readiness
@ApplicationScoped
public class ShardReadiness implements HealthCheck {

    @Inject
    WorkerLifecycle lifecycle;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("shard")
                .withData("state", lifecycle.state().name())
                .withData("status", lifecycle.status());
        if (!lifecycle.ready()) {
            return response.down().build();
        }
        ShardInfo shard = lifecycle.shard().orElseThrow();
        return response.up()
                .withData("model", shard.model())
                .withData("version", shard.version())
                .withData("layers", "[" + shard.layerStart() + ", " + shard.layerEnd() + ")")
                .build();
    }
}
