package io.tern.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
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
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.proto.worker.v1.DescribeRequest;
import io.tern.proto.worker.v1.DescribeResponse;
import io.tern.proto.worker.v1.ForwardRequest;
import io.tern.proto.worker.v1.ReleaseRequest;
import io.tern.proto.worker.v1.TernWorkerGrpc;
import java.net.URL;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A worker started without a shard source: live, FAILED with the reason, and refusing work with UNAVAILABLE. */
@QuarkusTest
class WorkerServiceTest {

    @TestHTTPResource("/")
    URL baseUrl;

    private ManagedChannel channel;

    @BeforeEach
    void connect() throws InterruptedException {
        channel = NettyChannelBuilder.forAddress(baseUrl.getHost(), baseUrl.getPort()).usePlaintext().build();
        var worker = TernWorkerGrpc.newBlockingStub(channel);
        for (int i = 0; i < 200 && !worker.describe(DescribeRequest.getDefaultInstance()).getState().equals("FAILED"); i++) {
            Thread.sleep(50);
        }
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void liveButNotReadyWithReason() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'shard' }.data.state", equalTo("FAILED"))
                .body("checks.find { it.name == 'shard' }.data.status", containsString("no shard source"));
    }

    @Test
    void describeReportsFailure() {
        DescribeResponse d = TernWorkerGrpc.newBlockingStub(channel).describe(DescribeRequest.getDefaultInstance());
        assertFalse(d.getReady());
        assertEquals("FAILED", d.getState());
        assertTrue(d.getStatus().contains("tern.worker.model-file"), d.getStatus());
    }

    @Test
    void forwardAndReleaseAreUnavailable() {
        var worker = TernWorkerGrpc.newBlockingStub(channel);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> worker.forward(ForwardRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("FAILED"), e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class,
                () -> worker.release(ReleaseRequest.newBuilder().addSequenceIds("x").build()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }

    @Test
    void grpcHealthIsNotServing() {
        var health = HealthGrpc.newBlockingStub(channel);
        assertEquals(ServingStatus.NOT_SERVING,
                health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus());
        assertEquals(ServingStatus.NOT_SERVING,
                health.check(HealthCheckRequest.newBuilder().setService("tern.worker.v1.TernWorker").build())
                        .getStatus());
    }

    @Test
    void reflectionListsWorkerService() {
        org.hamcrest.MatcherAssert.assertThat(GrpcReflection.services(channel), hasItem("tern.worker.v1.TernWorker"));
    }
}
