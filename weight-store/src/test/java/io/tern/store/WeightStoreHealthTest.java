package io.tern.store;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.proto.store.v1.ListModelsRequest;
import io.tern.proto.store.v1.TernWeightStoreGrpc;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class WeightStoreHealthTest {

    @TestHTTPResource("/")
    URL baseUrl;

    @Test
    void liveAndReadyWithWritableRoot() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'store-root' }.data.path", endsWith("test-store"));
        assertTrue(Files.isDirectory(Path.of("target/test-store")), "readiness creates the store root");
    }

    @Test
    void grpcReflectionAnswers() throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress(baseUrl.getHost(), baseUrl.getPort())
                .usePlaintext().build();
        try {
            assertThat(GrpcReflection.services(channel),
                    hasItems("tern.store.v1.TernWeightStore", "grpc.health.v1.Health"));
            // The contract is implemented: the call reaches the service and answers.
            TernWeightStoreGrpc.newBlockingStub(channel).listModels(ListModelsRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
