package io.tern.gateway;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/** The weight-store connection, when {@code tern.gateway.store} is set. */
@ApplicationScoped
public class WeightStore {

    @Inject
    GatewayConfig config;

    private volatile StoreClient client;

    Optional<StoreClient> client() {
        if (config.store().isEmpty()) {
            return Optional.empty();
        }
        if (client == null) {
            synchronized (this) {
                if (client == null) {
                    client = new StoreClient(config.store().get());
                }
            }
        }
        return Optional.of(client);
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}
