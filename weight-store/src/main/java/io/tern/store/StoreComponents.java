package io.tern.store;

import io.quarkus.arc.DefaultBean;
import io.tern.store.ingest.EngineModelNormalizer;
import io.tern.store.ingest.ModelNormalizer;
import io.tern.store.shard.EngineShardCutter;
import io.tern.store.shard.ShardCutter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * The pluggable parts of the store, backed by the engine's ModelImporter and ShardPlanner / ShardWriter. Declaring
 * another {@link ModelNormalizer} or {@link ShardCutter} bean replaces them.
 */
@ApplicationScoped
public class StoreComponents {

    @Produces
    @DefaultBean
    @ApplicationScoped
    ModelNormalizer normalizer() {
        return new EngineModelNormalizer();
    }

    @Produces
    @DefaultBean
    @ApplicationScoped
    ShardCutter cutter() {
        return new EngineShardCutter();
    }
}
