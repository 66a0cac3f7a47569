package io.tern.store.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tern.proto.store.v1.AliasEvent;
import io.tern.proto.store.v1.BlobChunk;
import io.tern.proto.store.v1.DownloadBlobRequest;
import io.tern.proto.store.v1.GetManifestRequest;
import io.tern.proto.store.v1.GetModelRequest;
import io.tern.proto.store.v1.GetShardPlanRequest;
import io.tern.proto.store.v1.ListModelsRequest;
import io.tern.proto.store.v1.ListModelsResponse;
import io.tern.proto.store.v1.Manifest;
import io.tern.proto.store.v1.Model;
import io.tern.proto.store.v1.MutinyTernWeightStoreGrpc;
import io.tern.proto.store.v1.ResolveAliasRequest;
import io.tern.proto.store.v1.ResolveAliasResponse;
import io.tern.proto.store.v1.ShardPlan;
import io.tern.proto.store.v1.WatchAliasesRequest;
import io.tern.store.StoreHolder;
import io.tern.store.blob.BlobStore;
import io.tern.store.blob.Sha256;
import io.tern.store.core.Names;
import io.tern.store.service.WeightStore;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Supplier;

/** tern.store.v1.TernWeightStore: lookups for workers and the gateway, blob download, alias watch. */
@GrpcService
public class WeightStoreGrpcService extends MutinyTernWeightStoreGrpc.TernWeightStoreImplBase {
    static final int DEFAULT_CHUNK = 1 << 20;
    static final int MAX_CHUNK = 2 << 20;

    @Inject
    StoreHolder holder;

    private static <T> Uni<T> call(Supplier<T> body) {
        return Uni.createFrom().item(body).onFailure().transform(GrpcErrors::map);
    }

    private WeightStore store() {
        return holder.store();
    }

    @Override
    public Uni<ListModelsResponse> listModels(ListModelsRequest request) {
        return call(() -> ListModelsResponse.newBuilder()
                .addAllModels(store().models().stream().map(ProtoMapping::model).toList()).build());
    }

    @Override
    public Uni<Model> getModel(GetModelRequest request) {
        return call(() -> ProtoMapping.model(store().model(request.getName())));
    }

    @Override
    public Uni<ResolveAliasResponse> resolveAlias(ResolveAliasRequest request) {
        return call(() -> ResolveAliasResponse.newBuilder().setModel(request.getModel()).setAlias(request.getAlias())
                .setVersion(Integer.toString(store().resolveAlias(request.getModel(), request.getAlias()))).build());
    }

    @Override
    public Uni<Manifest> getManifest(GetManifestRequest request) {
        return call(() -> ProtoMapping.manifest(store().manifest(request.getModel(), Names.version(request.getVersion()))));
    }

    @Override
    @Blocking
    public Uni<ShardPlan> getShardPlan(GetShardPlanRequest request) {
        return call(() -> {
            int version = Names.version(request.getVersion());
            return ProtoMapping.plan(request.getModel(), version,
                    store().shardPlan(request.getModel(), version, request.getShardCount()));
        });
    }

    @Override
    public Multi<BlobChunk> downloadBlob(DownloadBlobRequest request) {
        return Multi.createFrom().<BlobChunk>deferred(() -> {
            String sha = Sha256.check(request.getSha256());
            BlobStore blobs = store().blobs();
            int chunk = request.getChunkSize() == 0 ? DEFAULT_CHUNK : Math.min(request.getChunkSize(), MAX_CHUNK);
            long size;
            BlobChunks chunks;
            try {
                size = blobs.size(sha);
                chunks = new BlobChunks(blobs.openVerified(sha, request.getOffset()), sha, size, request.getOffset(), chunk);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Multi.createFrom().iterable(() -> chunks).onTermination().invoke(chunks::close);
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).onFailure().transform(GrpcErrors::map);
    }

    @Override
    public Multi<AliasEvent> watchAliases(WatchAliasesRequest request) {
        return Multi.createFrom().<AliasEvent>emitter(emitter -> {
            String model = request.getModel().isEmpty() ? null : Names.model(request.getModel());
            WeightStore store = store();
            AutoCloseable subscription = store.events().subscribe(
                    () -> request.getSendCurrent() ? store.aliasSnapshot(model) : List.of(),
                    event -> {
                        if (model == null || model.equals(event.model())) {
                            emitter.emit(ProtoMapping.event(event));
                        }
                    });
            emitter.onTermination(() -> {
                try {
                    subscription.close();
                } catch (Exception ignored) {
                    // Removing a listener cannot fail.
                }
            });
        }).onFailure().transform(GrpcErrors::map);
    }
}
