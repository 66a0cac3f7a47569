package io.tern.store;

import io.quarkus.arc.DefaultBean;
import io.tern.store.ingest.CanonicalGgufNormalizer;
import io.tern.store.ingest.ModelNormalizer;
import io.tern.store.shard.GgufShardCutter;
import io.tern.store.shard.ShardCutter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * The pluggable parts of the store. These defaults accept canonical GGUFs as they are and cut shards with the
 * store's own small cutter; declaring another {@link ModelNormalizer} or {@link ShardCutter} bean (e.g. one backed by
 * the engine's ModelImporter / ShardWriter) replaces them.
 */
@ApplicationScoped
public class StoreComponents {

    @Produces
    @DefaultBean
    @ApplicationScoped
    ModelNormalizer normalizer() {
        return new CanonicalGgufNormalizer();
    }

    @Produces
    @DefaultBean
    @ApplicationScoped
    ShardCutter cutter() {
        return new GgufShardCutter();
    }
}
