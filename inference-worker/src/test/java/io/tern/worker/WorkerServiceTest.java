package io.tern.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.proto.worker.v1.DescribeRequest;
import io.tern.proto.worker.v1.DescribeResponse;
import io.tern.proto.worker.v1.ForwardRequest;
import io.tern.proto.worker.v1.TernWorkerGrpc;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class WorkerServiceTest {

    @TestHTTPResource("/")
    URL baseUrl;

    @Inject
    ShardSlot slot;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress(baseUrl.getHost(), baseUrl.getPort()).usePlaintext().build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        slot.clear();
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void liveButNotReadyWithoutShard() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'shard' }.data.status", equalTo("no shard loaded"));
    }

    @Test
    void readyOnceShardIsLoaded() {
        slot.put(new ShardInfo("tiny", "v1", 0, 2, 4, 64, 256, 512));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'shard' }.data.layers", equalTo("[0, 2)"));
    }

    @Test
    void describeReportsSlot() {
        var worker = TernWorkerGrpc.newBlockingStub(channel);
        DescribeResponse empty = worker.describe(DescribeRequest.getDefaultInstance());
        assertFalse(empty.getReady());
        assertEquals("no shard loaded", empty.getStatus());

        slot.put(new ShardInfo("tiny", "v1", 2, 4, 4, 64, 256, 512));
        DescribeResponse loaded = worker.describe(DescribeRequest.getDefaultInstance());
        assertTrue(loaded.getReady());
        assertEquals(2, loaded.getLayerStart());
        assertEquals(4, loaded.getLayerEnd());
        assertFalse(loaded.getIsFirst());
        assertTrue(loaded.getIsLast());
    }

    @Test
    void forwardRefusedWithoutShard() {
        var worker = TernWorkerGrpc.newBlockingStub(channel);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> worker.forward(ForwardRequest.getDefaultInstance()));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    }

    @Test
    void reflectionListsWorkerService() {
        org.hamcrest.MatcherAssert.assertThat(GrpcReflection.services(channel), hasItem("tern.worker.v1.TernWorker"));
    }
}
