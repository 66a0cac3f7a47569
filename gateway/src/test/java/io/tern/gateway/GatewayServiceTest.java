package io.tern.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.proto.gateway.v1.ListModelsRequest;
import io.tern.proto.gateway.v1.TernGatewayGrpc;
import io.tern.proto.inference.GRPCInferenceServiceGrpc;
import io.tern.proto.inference.ModelReadyRequest;
import io.tern.proto.inference.ServerLiveRequest;
import io.tern.proto.inference.ServerMetadataRequest;
import io.tern.proto.inference.ServerReadyRequest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GatewayServiceTest {

    @TestHTTPResource("/")
    URL baseUrl;

    @Inject
    PipelineRegistry registry;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress(baseUrl.getHost(), baseUrl.getPort()).usePlaintext().build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        registry.clear();
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void liveButNotReadyWithoutPipelines() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'pipelines' }.data.status", equalTo("no pipelines"));
    }

    @Test
    void readyWithAPipeline() {
        registry.add(new Pipeline("tiny", "v1", List.of("127.0.0.1:1")));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void oipHealthAndMetadata() {
        var oip = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        assertTrue(oip.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertFalse(oip.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertEquals("tern-gateway", oip.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName());

        registry.add(new Pipeline("tiny", "v1", List.of("127.0.0.1:1")));
        assertTrue(oip.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertTrue(oip.modelReady(ModelReadyRequest.newBuilder().setName("tiny").build()).getReady());
        assertTrue(oip.modelReady(ModelReadyRequest.newBuilder().setName("tiny").setVersion("v1").build()).getReady());
        assertFalse(oip.modelReady(ModelReadyRequest.newBuilder().setName("tiny").setVersion("v2").build()).getReady());
        assertFalse(oip.modelReady(ModelReadyRequest.newBuilder().setName("other").build()).getReady());
    }

    @Test
    void listModelsShowsPipelines() {
        var gateway = TernGatewayGrpc.newBlockingStub(channel);
        assertEquals(0, gateway.listModels(ListModelsRequest.getDefaultInstance()).getModelsCount());
        registry.add(new Pipeline("tiny", "v1", List.of("127.0.0.1:1")));
        var models = gateway.listModels(ListModelsRequest.getDefaultInstance()).getModelsList();
        assertEquals(1, models.size());
        assertEquals("tiny", models.getFirst().getName());
        assertEquals(List.of("v1"), models.getFirst().getReadyVersionsList());
    }

    @Test
    void reflectionListsBothApis() {
        assertThat(GrpcReflection.services(channel),
                hasItems("inference.GRPCInferenceService", "tern.gateway.v1.TernGateway"));
    }
}
