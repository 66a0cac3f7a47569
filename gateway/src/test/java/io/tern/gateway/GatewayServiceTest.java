package io.tern.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.engine.sampler.SamplingParams;
import io.tern.gateway.testworker.TinyModels;
import io.tern.gateway.testworker.WorkerPipelineResource;
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

/** Health, discovery, model listing, OIP health/metadata, reflection and metrics with a real 2-shard pipeline. */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@WithTestResource(WorkerPipelineResource.class)
class GatewayServiceTest {

    @TestHTTPResource("/")
    URL baseUrl;

    @Inject
    WorkerDiscovery discovery;

    @Inject
    PipelineRegistry registry;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        discovery.round();
        channel = TestChannels.open(baseUrl);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        TestChannels.close(channel);
    }

    @Test
    void discoveryAssemblesOnePipelineFromTwoShards() {
        List<Pipeline> all = registry.all();
        assertEquals(1, all.size());
        Pipeline p = all.getFirst();
        assertEquals(TinyModels.MODEL, p.model());
        assertEquals(TinyModels.VERSION, p.version());
        assertEquals(2, p.stages().size());
        assertEquals(0, p.stages().get(0).layerStart());
        assertEquals(TinyModels.SPLIT, p.stages().get(0).layerEnd());
        assertEquals(TinyModels.SPLIT, p.stages().get(1).layerStart());
        assertEquals(512, p.contextLength());
    }

    @Test
    void readyWhenTheConfiguredModelHasAPipeline() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'pipelines' }.data.status", equalTo("serving"));
    }

    @Test
    void oipHealthAndMetadata() {
        var oip = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        assertTrue(oip.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(oip.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertEquals("tern-gateway", oip.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName());
        assertTrue(oip.modelReady(ModelReadyRequest.newBuilder().setName("tiny").build()).getReady());
        assertTrue(oip.modelReady(ModelReadyRequest.newBuilder().setName("tiny").setVersion("v1").build()).getReady());
        assertFalse(oip.modelReady(ModelReadyRequest.newBuilder().setName("tiny").setVersion("v2").build()).getReady());
        assertFalse(oip.modelReady(ModelReadyRequest.newBuilder().setName("other").build()).getReady());
    }

    @Test
    void listModelsShowsReadyVersions() {
        var models = TernGatewayGrpc.newBlockingStub(channel).listModels(ListModelsRequest.getDefaultInstance()).getModelsList();
        assertEquals(1, models.size());
        assertEquals("tiny", models.getFirst().getName());
        assertEquals(List.of("v1"), models.getFirst().getReadyVersionsList());
        assertEquals(512, models.getFirst().getContextLength());
    }

    @Test
    void reflectionListsBothApis() {
        assertThat(GrpcReflection.services(channel),
                hasItems("inference.GRPCInferenceService", "tern.gateway.v1.TernGateway"));
    }

    @Test
    void metricsAreExportedPerModelAndVersion() {
        TernGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
                .generateUnary(GenerationTest.request(GenerationTest.PROMPT, 3, SamplingParams.GREEDY).build());
        String labels = "model=\"tiny\",version=\"v1\"";
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("tern_gateway_time_to_first_token_seconds_count{" + labels))
                .body(containsString("tern_gateway_inter_token_latency_seconds_count{" + labels))
                .body(containsString("tern_gateway_queue_time_seconds_count{" + labels))
                .body(containsString("tern_gateway_requests_running{" + labels))
                .body(containsString("tern_gateway_requests_waiting{" + labels))
                .body(containsString("tern_gateway_prompt_tokens_total{" + labels))
                .body(containsString("tern_gateway_completion_tokens_total{" + labels))
                .body(containsString("tern_gateway_request_log_spool_bytes"));
    }
}
