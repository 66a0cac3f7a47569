package io.tern.worker;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.proto.store.v1.GetShardPlanRequest;
import io.tern.proto.store.v1.ResolveAliasRequest;
import io.tern.proto.store.v1.Shard;
import io.tern.proto.store.v1.ShardPlan;
import io.tern.proto.store.v1.TernWeightStoreGrpc;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Gets this worker's shard from the weight store: alias → version, the shard plan for the configured shard count,
 * then this shard's blob into the cache directory ({@link BlobDownloader}). Waits for a store that is not up yet.
 */
final class ShardFetcher {
    private static final Logger LOG = Logger.getLogger(ShardFetcher.class);

    /** A shard on local disk and what it is. */
    record Fetched(Path file, String model, String version, Shard shard, BlobDownloader.Result download) {
    }

    private final String target;
    private final String model;
    private final String version;
    private final String alias;
    private final int shardIndex;
    private final int shardCount;
    private final Path cacheDir;
    private final Duration storeWait;

    ShardFetcher(String target, String model, String version, String alias, int shardIndex, int shardCount,
                 Path cacheDir, Duration storeWait) {
        if (shardCount < 1 || shardIndex < 0 || shardIndex >= shardCount) {
            throw new IllegalArgumentException("shard index " + shardIndex + " is outside a plan of " + shardCount
                    + " shards");
        }
        this.target = target;
        this.model = model;
        this.version = version;
        this.alias = alias;
        this.shardIndex = shardIndex;
        this.shardCount = shardCount;
        this.cacheDir = cacheDir;
        this.storeWait = storeWait;
    }

    Fetched fetch() throws IOException, InterruptedException {
        ManagedChannel channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                .maxInboundMessageSize(64 << 20).build();
        try {
            var store = TernWeightStoreGrpc.newBlockingStub(channel);
            String v = version != null ? version : resolveAlias(store);
            ShardPlan plan = withRetry(() -> store.getShardPlan(GetShardPlanRequest.newBuilder()
                    .setModel(model).setVersion(v).setShardCount(shardCount).build()));
            if (plan.getShardsCount() != shardCount) {
                throw new IOException("store's plan for " + model + " " + v + " has " + plan.getShardsCount()
                        + " shards, asked for " + shardCount);
            }
            Shard shard = plan.getShards(shardIndex);
            LOG.infof("shard %d/%d of %s %s: layers [%d, %d), blob %s (%d bytes)", shardIndex, shardCount, model, v,
                    shard.getLayerStart(), shard.getLayerEnd(), shard.getBlobSha256(), shard.getSizeBytes());
            BlobDownloader.Result download = new BlobDownloader(cacheDir, store)
                    .fetch(shard.getBlobSha256(), shard.getSizeBytes());
            return new Fetched(download.file(), model, v, shard, download);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private String resolveAlias(TernWeightStoreGrpc.TernWeightStoreBlockingStub store) throws InterruptedException {
        String v = withRetry(() -> store.resolveAlias(ResolveAliasRequest.newBuilder()
                .setModel(model).setAlias(alias).build())).getVersion();
        LOG.infof("alias %s of %s is version %s", alias, model, v);
        return v;
    }

    /** Retries while the store is UNAVAILABLE (still starting), up to the configured wait. */
    private <T> T withRetry(java.util.function.Supplier<T> call) throws InterruptedException {
        long giveUp = System.nanoTime() + storeWait.toNanos();
        while (true) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() - giveUp > 0) {
                    throw e;
                }
                LOG.infof("weight store %s not reachable yet (%s); retrying", target, e.getStatus().getDescription());
                Thread.sleep(500);
            }
        }
    }
}
