package io.tern.store.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.proto.store.v1.AliasEvent;
import io.tern.proto.store.v1.AliasEventKind;
import io.tern.proto.store.v1.BlobChunk;
import io.tern.proto.store.v1.DownloadBlobRequest;
import io.tern.proto.store.v1.GetManifestRequest;
import io.tern.proto.store.v1.GetModelRequest;
import io.tern.proto.store.v1.GetShardPlanRequest;
import io.tern.proto.store.v1.ListModelsRequest;
import io.tern.proto.store.v1.Manifest;
import io.tern.proto.store.v1.ResolveAliasRequest;
import io.tern.proto.store.v1.ShardPlan;
import io.tern.proto.store.v1.TernWeightStoreGrpc;
import io.tern.proto.store.v1.WatchAliasesRequest;
import io.tern.store.StoreHolder;
import io.tern.store.TinyModels;
import io.tern.store.ingest.ImportProgress;
import io.tern.store.service.WeightStore;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class StoreGrpcTest {

    @TestHTTPResource("/")
    URL baseUrl;

    @Inject
    StoreHolder holder;

    ManagedChannel channel;
    TernWeightStoreGrpc.TernWeightStoreBlockingStub stub;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress(baseUrl.getHost(), baseUrl.getPort()).usePlaintext().build();
        stub = TernWeightStoreGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private static String uniqueName(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    private io.tern.store.catalog.Manifest importTiny(String name, long seed) throws IOException {
        return holder.store().importPath(name, TinyModels.write(Path.of("target/test-models"), seed), ImportProgress.NONE);
    }

    @Test
    void lookupsAndShardPlans() throws IOException {
        String name = uniqueName("grpc");
        importTiny(name, 1);
        holder.store().setAlias(name, "stable", 1);

        assertTrue(stub.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                .anyMatch(m -> m.getName().equals(name)));
        var model = stub.getModel(GetModelRequest.newBuilder().setName(name).build());
        assertEquals("1", model.getVersions(0).getVersion());
        assertEquals("1", model.getAliasesOrThrow("stable"));
        assertEquals("1", stub.resolveAlias(ResolveAliasRequest.newBuilder().setModel(name).setAlias("stable").build())
                .getVersion());

        Manifest m = stub.getManifest(GetManifestRequest.newBuilder().setModel(name).setVersion("1").build());
        assertEquals("bitnet", m.getArchitecture());
        assertEquals("3", m.getHyperParamsOrThrow("n_layers"));
        assertEquals(64, m.getTokenizerBlobSha256().length());
        assertTrue(m.getTensorsList().stream().anyMatch(t -> t.getName().equals("token_embd.weight")));

        ShardPlan plan = stub.getShardPlan(GetShardPlanRequest.newBuilder().setModel(name).setVersion("1")
                .setShardCount(2).build());
        assertEquals(2, plan.getShardsCount());
        assertEquals(0, plan.getShards(0).getLayerStart());
        assertEquals(plan.getShards(0).getLayerEnd(), plan.getShards(1).getLayerStart());
        assertEquals(3, plan.getShards(1).getLayerEnd());
        assertTrue(plan.getShards(1).getHasOutputHead());
        assertEquals(2, stub.getManifest(GetManifestRequest.newBuilder().setModel(name).setVersion("1").build())
                .getShardPlansCount(), "the plan is kept");

        assertEquals(Status.Code.NOT_FOUND, code(() -> stub.getModel(GetModelRequest.newBuilder().setName("nope-none").build())));
        assertEquals(Status.Code.NOT_FOUND, code(() -> stub.getManifest(GetManifestRequest.newBuilder().setModel(name).setVersion("9").build())));
        assertEquals(Status.Code.NOT_FOUND, code(() -> stub.resolveAlias(ResolveAliasRequest.newBuilder().setModel(name).setAlias("canary").build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.getModel(GetModelRequest.newBuilder().setName("../x").build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.getShardPlan(GetShardPlanRequest.newBuilder().setModel(name).setVersion("1").setShardCount(0).build())));
    }

    @Test
    void downloadBlobWholeAndResumed() throws IOException {
        String name = uniqueName("dl");
        var manifest = importTiny(name, 1);
        String sha = manifest.canonical().sha256();
        byte[] file = Files.readAllBytes(holder.store().blobs().localFile(sha));

        Iterator<BlobChunk> it = stub.downloadBlob(DownloadBlobRequest.newBuilder().setSha256(sha).setChunkSize(100_000).build());
        BlobChunk first = it.next();
        assertEquals(sha, first.getSha256());
        assertEquals(file.length, first.getTotalSize());
        assertArrayEquals(file, concat(first, it));

        long offset = 123_457;
        Iterator<BlobChunk> resumed = stub.downloadBlob(DownloadBlobRequest.newBuilder().setSha256(sha).setOffset(offset)
                .setChunkSize(50_000).build());
        BlobChunk r0 = resumed.next();
        assertEquals(offset, r0.getOffset());
        assertEquals(file.length, r0.getTotalSize());
        assertArrayEquals(Arrays.copyOfRange(file, (int) offset, file.length), concat(r0, resumed));

        assertEquals(Status.Code.NOT_FOUND, code(() -> stub.downloadBlob(DownloadBlobRequest.newBuilder()
                .setSha256("f".repeat(64)).build()).next()));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.downloadBlob(DownloadBlobRequest.newBuilder()
                .setSha256(sha).setOffset(file.length + 1L).build()).next()));
    }

    @Test
    void corruptedBlobIsNotServed() throws IOException {
        String name = uniqueName("rot");
        // Seed 3 is used by no other test: its canonical blob is this test's alone.
        String sha = importTiny(name, 3).canonical().sha256();
        Path blob = Path.of("target/test-store/blobs/sha256", sha.substring(0, 2), sha);
        try (RandomAccessFile raf = new RandomAccessFile(blob.toFile(), "rw")) {
            raf.seek(4096);
            int b = raf.read();
            raf.seek(4096);
            raf.write(b ^ 0x40);
        }
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stub.downloadBlob(DownloadBlobRequest.newBuilder().setSha256(sha).build()).next());
        assertEquals(Status.Code.DATA_LOSS, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains(sha), e.getStatus().getDescription());
        holder.store().setAlias(name, "keep", 1);
        // Importing the same bytes again repairs the stored copy.
        importTiny(name, 3);
        assertTrue(stub.downloadBlob(DownloadBlobRequest.newBuilder().setSha256(sha).build()).hasNext());
    }

    @Test
    void watchAliasesSeesAMove() throws Exception {
        String name = uniqueName("watch");
        importTiny(name, 1);
        importTiny(name, 1);
        WeightStore store = holder.store();
        store.setAlias(name, "stable", 1);

        BlockingQueue<AliasEvent> events = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
        TernWeightStoreGrpc.newStub(channel).watchAliases(
                WatchAliasesRequest.newBuilder().setModel(name).setSendCurrent(true).build(),
                new ClientResponseObserver<WatchAliasesRequest, AliasEvent>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchAliasesRequest> requestStream) {
                        call[0] = requestStream;
                    }

                    @Override
                    public void onNext(AliasEvent value) {
                        events.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        try {
            AliasEvent snapshot = events.poll(30, TimeUnit.SECONDS);
            assertNotNull(snapshot, "no snapshot");
            assertEquals(AliasEventKind.SNAPSHOT, snapshot.getKind());
            assertEquals("1", snapshot.getVersion());

            long t0 = System.nanoTime();
            store.setAlias(name, "stable", 2);
            AliasEvent moved = events.poll(10, TimeUnit.SECONDS);
            long micros = (System.nanoTime() - t0) / 1000;
            assertNotNull(moved, "the move was not announced");
            assertEquals(AliasEventKind.SET, moved.getKind());
            assertEquals("stable", moved.getAlias());
            assertEquals("2", moved.getVersion());
            assertEquals("1", moved.getPreviousVersion());
            System.out.println("WatchAliases: move seen after " + micros + " µs");

            String other = uniqueName("other");
            importTiny(other, 1);
            store.setAlias(other, "stable", 1);
            store.setAlias(name, "canary", 2);
            AliasEvent next = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(next);
            assertEquals(name, next.getModel(), "events of other models are filtered out");
            assertEquals("canary", next.getAlias());
        } finally {
            call[0].cancel("done", null);
        }
    }

    private static byte[] concat(BlobChunk first, Iterator<BlobChunk> rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long expected = first.getOffset();
        BlobChunk c = first;
        while (true) {
            assertEquals(expected, c.getOffset());
            out.writeBytes(c.getData().toByteArray());
            expected += c.getData().size();
            if (c.getLast()) {
                break;
            }
            c = rest.next();
        }
        assertTrue(!rest.hasNext());
        return out.toByteArray();
    }

    private static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }
}
