package io.tern.worker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while a shard is loaded: a worker without one cannot run Forward. */
@Readiness
@ApplicationScoped
public class ShardReadiness implements HealthCheck {

    @Inject
    ShardSlot slot;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("shard");
        return slot.loaded()
                .map(shard -> response.up()
                        .withData("model", shard.model())
                        .withData("version", shard.version())
                        .withData("layers", "[" + shard.layerStart() + ", " + shard.layerEnd() + ")")
                        .build())
                .orElseGet(() -> response.down().withData("status", ShardSlot.EMPTY_STATUS).build());
    }
}
