package io.tern.worker;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tern.proto.store.v1.BlobChunk;
import io.tern.proto.store.v1.DownloadBlobRequest;
import io.tern.proto.store.v1.GetShardPlanRequest;
import io.tern.proto.store.v1.ResolveAliasRequest;
import io.tern.proto.store.v1.ResolveAliasResponse;
import io.tern.proto.store.v1.Shard;
import io.tern.proto.store.v1.ShardPlan;
import io.tern.proto.store.v1.TernWeightStoreGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The download side of the weight store, over real gRPC, for worker tests: one model with one alias, a shard plan,
 * and blobs by sha256 (served in 64 KiB chunks from the asked offset). A blob may be registered under a sha256 its
 * bytes do not have, to test that the worker checks. DownloadBlob can be held shut until a gate file exists.
 */
final class TestWeightStore extends TernWeightStoreGrpc.TernWeightStoreImplBase {
    private static final int CHUNK = 64 << 10;

    private final String model;
    private final String alias;
    private final String version;
    private final List<Shard> shards = new ArrayList<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    /** Offsets of the DownloadBlob calls received, in order. */
    final List<Long> downloadOffsets = Collections.synchronizedList(new ArrayList<>());
    private volatile Path gate;
    private Server server;

    TestWeightStore(String model, String alias, String version) {
        this.model = model;
        this.alias = alias;
        this.version = version;
    }

    /** Adds a shard of the plan whose blob is {@code file}; returns its sha256. */
    String addShard(int start, int end, int layers, Path file) {
        try {
            String sha = BlobDownloader.sha256Of(file);
            blobs.put(sha, Files.readAllBytes(file));
            shards.add(Shard.newBuilder().setIndex(shards.size()).setLayerStart(start).setLayerEnd(end)
                    .setBlobSha256(sha).setSizeBytes(Files.size(file))
                    .setHasEmbedding(start == 0).setHasOutputHead(end == layers).build());
            return sha;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves {@code bytes} under {@code sha256}, whatever their real hash. */
    void putBlob(String sha256, byte[] bytes) {
        blobs.put(sha256, bytes);
    }

    /** DownloadBlob waits until this file exists. */
    void holdDownloadsUntil(Path gateFile) {
        this.gate = gateFile;
    }

    int start() throws IOException {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(this).build().start();
        return server.getPort();
    }

    void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Override
    public void resolveAlias(ResolveAliasRequest request, StreamObserver<ResolveAliasResponse> out) {
        if (!request.getModel().equals(model) || !request.getAlias().equals(alias)) {
            out.onError(Status.NOT_FOUND.withDescription("no alias " + request.getAlias()).asRuntimeException());
            return;
        }
        out.onNext(ResolveAliasResponse.newBuilder().setModel(model).setAlias(alias).setVersion(version).build());
        out.onCompleted();
    }

    @Override
    public void getShardPlan(GetShardPlanRequest request, StreamObserver<ShardPlan> out) {
        if (!request.getModel().equals(model) || !request.getVersion().equals(version)
                || request.getShardCount() != shards.size()) {
            out.onError(Status.NOT_FOUND.withDescription("no such plan").asRuntimeException());
            return;
        }
        out.onNext(ShardPlan.newBuilder().setModel(model).setVersion(version).setShardCount(shards.size())
                .addAllShards(shards).build());
        out.onCompleted();
    }

    @Override
    public void downloadBlob(DownloadBlobRequest request, StreamObserver<BlobChunk> out) {
        downloadOffsets.add(request.getOffset());
        Path g = gate;
        try {
            while (g != null && !Files.exists(g)) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            out.onError(Status.CANCELLED.asRuntimeException());
            return;
        }
        byte[] blob = blobs.get(request.getSha256());
        if (blob == null) {
            out.onError(Status.NOT_FOUND.withDescription("no blob " + request.getSha256()).asRuntimeException());
            return;
        }
        int offset = (int) request.getOffset();
        boolean first = true;
        do {
            int n = Math.min(CHUNK, blob.length - offset);
            BlobChunk.Builder c = BlobChunk.newBuilder().setOffset(offset)
                    .setData(ByteString.copyFrom(blob, offset, n)).setLast(offset + n == blob.length);
            if (first) {
                c.setTotalSize(blob.length).setSha256(request.getSha256());
                first = false;
            }
            out.onNext(c.build());
            offset += n;
        } while (offset < blob.length);
        out.onCompleted();
    }
}
