package io.tern.worker;

import static io.restassured.RestAssured.given;
import static io.tern.worker.WorkerClient.hidden;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.model.BitNetModel;
import io.tern.proto.worker.v1.DescribeResponse;
import io.tern.proto.worker.v1.TernWorkerGrpc;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A worker that fetches the last of two shards from a weight store: not ready (UNAVAILABLE) while the download is
 * held, then takes hidden states and returns the logits ForwardPass gives on the same shard file.
 */
@QuarkusTest
@WithTestResource(StoreShardResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShardWorkerTest {
    private static final int DIM = TestModels.SHAPE.nEmbd();

    @TestHTTPResource("/")
    URL baseUrl;

    private ManagedChannel channel;
    private WorkerClient worker;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress(baseUrl.getHost(), baseUrl.getPort()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        worker = new WorkerClient(TernWorkerGrpc.newBlockingStub(channel));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private void openGateAndAwaitReady() throws IOException, InterruptedException {
        if (!Files.exists(StoreShardResource.GATE)) {
            Files.createFile(StoreShardResource.GATE);
        }
        worker.awaitReady(Duration.ofSeconds(60));
    }

    @Test
    @Order(1)
    void notReadyWhileDownloading() throws Exception {
        DescribeResponse d = worker.describe();
        for (int i = 0; i < 200 && !d.getState().equals("DOWNLOADING") && !Files.exists(StoreShardResource.GATE); i++) {
            Thread.sleep(50);
            d = worker.describe();
        }
        assertEquals("DOWNLOADING", d.getState(), d.getStatus());
        assertFalse(d.getReady());
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'shard' }.data.state", equalTo("DOWNLOADING"));
        var health = HealthGrpc.newBlockingStub(channel);
        assertEquals(ServingStatus.NOT_SERVING,
                health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> worker.forward(hidden("early", 0, new float[DIM], DIM)));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("DOWNLOADING"), e.getStatus().getDescription());

        openGateAndAwaitReady();
        assertEquals(ServingStatus.SERVING,
                health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus());
        assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                .setService("tern.worker.v1.TernWorker").build()).getStatus());
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    @Order(2)
    void describesTheDownloadedShard() throws Exception {
        openGateAndAwaitReady();
        DescribeResponse d = worker.describe();
        assertEquals("tiny", d.getModel());
        assertEquals(StoreShardResource.VERSION, d.getVersion());
        assertEquals(2, d.getLayerStart());
        assertEquals(4, d.getLayerEnd());
        assertFalse(d.getIsFirst());
        assertTrue(d.getIsLast());
        String sha = BlobDownloader.sha256Of(TestModels.shard(2, 4));
        assertArrayEquals(Files.readAllBytes(TestModels.shard(2, 4)),
                Files.readAllBytes(StoreShardResource.CACHE.resolve(sha + ".gguf")));
    }

    @Test
    @Order(3)
    void hiddenStatesInLogitsOutMatchTheShardRunDirectly() throws Exception {
        openGateAndAwaitReady();
        int[] tokens = IntStream.range(0, 12).map(i -> (i * 23 + 5) % TestModels.SHAPE.vocab()).toArray();
        try (BitNetModel first = TestModels.load(TestModels.shard(0, 2));
             BitNetModel last = TestModels.load(TestModels.shard(2, 4))) {
            ForwardPass p0 = new ForwardPass(first, 64);
            ForwardPass p1 = new ForwardPass(last, 64);
            KvCache c0 = p0.newCache(64);
            KvCache c1 = p1.newCache(64);
            int pos = 0;
            for (int[] step : List.of(tokens, new int[] {7}, new int[] {8}, new int[] {9})) {
                int n = step.length;
                float[] h = new float[n * DIM];
                p0.embed(step, 0, n, h);
                p0.layers(h, List.of(new ForwardPass.Segment(c0, pos, n)));
                float[] sent = h.clone();
                p1.layers(h, List.of(new ForwardPass.Segment(c1, pos, n)));
                float[] expected = new float[TestModels.SHAPE.vocab()];
                p1.logits(h, new int[] {n - 1}, expected);

                var result = worker.forward(hidden("shard-seq", pos, sent, DIM).setMaxPositions(64)).getResults(0);
                assertEquals(pos + n, result.getKvLength());
                assertEquals(pos + n - 1, result.getLogits().getFirstPosition());
                assertArrayEquals(expected, WorkerClient.logits(result), "logits after position " + (pos + n - 1));
                pos += n;
            }
        }
        worker.stub().release(io.tern.proto.worker.v1.ReleaseRequest.newBuilder().addSequenceIds("shard-seq").build());
    }

    @Test
    @Order(4)
    void wrongInputsForAMiddleOrLastShardAreInvalid() throws Exception {
        openGateAndAwaitReady();
        StatusRuntimeException wrongWidth = assertThrows(StatusRuntimeException.class,
                () -> worker.forward(hidden("w", 0, new float[2 * 128], 128)));
        assertEquals(Status.Code.INVALID_ARGUMENT, wrongWidth.getStatus().getCode());
        assertTrue(wrongWidth.getStatus().getDescription().contains("128 wide, the model is 256"),
                wrongWidth.getStatus().getDescription());
        StatusRuntimeException tokens = assertThrows(StatusRuntimeException.class,
                () -> worker.forward(WorkerClient.tokens("w", 0, 1, 2)));
        assertEquals(Status.Code.INVALID_ARGUMENT, tokens.getStatus().getCode());
        assertTrue(tokens.getStatus().getDescription().contains("takes hidden states"),
                tokens.getStatus().getDescription());
        var shortData = io.tern.proto.worker.v1.SequenceStep.newBuilder().setSequenceId("w")
                .setHidden(io.tern.proto.worker.v1.HiddenStates.newBuilder().setNTokens(2).setNEmbd(DIM)
                        .setData(Float32Bytes.encode(new float[DIM], 0, DIM)));
        StatusRuntimeException size = assertThrows(StatusRuntimeException.class, () -> worker.forward(shortData));
        assertEquals(Status.Code.INVALID_ARGUMENT, size.getStatus().getCode());
    }
}
