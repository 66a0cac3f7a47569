package io.tern.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.engine.sampler.SamplingParams;
import io.tern.gateway.testworker.TestWorkers;
import io.tern.gateway.testworker.WorkerPipelineResource;
import io.tern.proto.gateway.v1.GenerateChunk;
import io.tern.proto.gateway.v1.GenerateResponse;
import io.tern.proto.gateway.v1.TernGatewayGrpc;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bounded queue (max-concurrent 2, max-queued 2 in the test profile) and cancellation. The
 * in-process workers are held so requests stay busy for as long as the test needs.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@WithTestResource(value = WorkerPipelineResource.class, initArgs = @ResourceArg(name = "mode", value = "in-process"))
class QueueTest {

    @TestHTTPResource("/")
    URL baseUrl;

    @Inject
    WorkerDiscovery discovery;

    @Inject
    AdmissionQueue queue;

    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    TestWorkers workers;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        discovery.round();
        channel = TestChannels.open(baseUrl);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        workers.resume();
        TestChannels.close(channel);
    }

    @Test
    void fullQueueIsRefusedWith429AndResourceExhausted() throws Exception {
        assumeTrue(workers.canHold(), "needs in-process workers that can be held");
        workers.hold();
        var async = TernGatewayGrpc.newFutureStub(channel);
        List<com.google.common.util.concurrent.ListenableFuture<GenerateResponse>> busy = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            busy.add(async.generateUnary(GenerationTest.request(GenerationTest.PROMPT, 4, SamplingParams.GREEDY).build()));
        }
        await("2 running and 2 waiting", () -> queue.running() == 2 && queue.waiting() == 2);

        var refused = assertThrows(StatusRuntimeException.class, () -> TernGatewayGrpc.newBlockingStub(channel)
                .generateUnary(GenerationTest.request(GenerationTest.PROMPT, 4, SamplingParams.GREEDY).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
        given().contentType("application/json")
                .body("{\"model\":\"tiny\",\"prompt\":\"hello\",\"max_tokens\":4}")
                .when().post("/v1/completions")
                .then().statusCode(429)
                .header("Retry-After", equalTo("1"))
                .body("error.type", equalTo("rate_limit_error"))
                .body("error.code", equalTo("queue_full"));

        workers.resume();
        int[] expected = EngineReference.generate(GenerationTest.PROMPT, 4, SamplingParams.GREEDY).tokens();
        for (var f : busy) {
            assertEquals(GenerationTest.show(expected), GenerationTest.show(GenerationTest.ints(f.get(120, TimeUnit.SECONDS).getTokenIdsList())));
        }
        await("queue empty", () -> queue.running() == 0 && queue.waiting() == 0);
    }

    @Test
    void cancelledStreamFreesItsSlotAndItsSequences() throws Exception {
        assumeTrue(workers.canHold(), "needs in-process workers that can be held");
        workers.hold();
        Context.CancellableContext call = Context.current().withCancellation();
        call.run(() -> TernGatewayGrpc.newStub(channel).generate(
                GenerationTest.request(GenerationTest.PROMPT, 50, SamplingParams.GREEDY).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(GenerateChunk value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
        double cancelledBefore = cancelled();
        await("the request runs", () -> queue.running() == 1);
        call.cancel(null);
        workers.resume();
        await("slot and sequences freed", () -> queue.running() == 0 && workers.liveSequences() == 0);
        await("the request ended as cancelled, not by running to its end", () -> cancelled() == cancelledBefore + 1);
    }

    @Test
    void closingTheHttpConnectionCancelsTheRequest() throws Exception {
        assumeTrue(workers.canHold(), "needs in-process workers that can be held");
        workers.hold();
        double cancelledBefore = cancelled();
        String body = "{\"model\":\"tiny\",\"prompt\":\"hello\",\"max_tokens\":50,\"stream\":true}";
        try (java.net.Socket socket = new java.net.Socket(baseUrl.getHost(), baseUrl.getPort())) {
            socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            await("the request runs", () -> queue.running() == 1);
        }
        workers.resume();
        await("slot and sequences freed after the client left", () -> queue.running() == 0 && workers.liveSequences() == 0);
        await("the request ended as cancelled, not by running to its end", () -> cancelled() == cancelledBefore + 1);
    }

    private double cancelled() {
        return meters.find("tern.gateway.requests").tag("finish_reason", "cancelled").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    /** Waits for a condition the gateway reaches asynchronously (fails after a generous minute). */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 60 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
