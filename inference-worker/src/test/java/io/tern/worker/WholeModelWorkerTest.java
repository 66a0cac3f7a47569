package io.tern.worker;

import static io.tern.worker.WorkerClient.argmax;
import static io.tern.worker.WorkerClient.tokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.forward.KvType;
import io.tern.engine.model.BitNetModel;
import io.tern.proto.worker.v1.DescribeResponse;
import io.tern.proto.worker.v1.ForwardResponse;
import io.tern.proto.worker.v1.LogitsMode;
import io.tern.proto.worker.v1.ReleaseRequest;
import io.tern.proto.worker.v1.TernWorkerGrpc;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One worker holding the whole tiny model: exactness against the engine, batching, KV budget, bad inputs. */
@QuarkusTest
@WithTestResource(WholeModelResource.class)
class WholeModelWorkerTest {
    private static final int DECODE_STEPS = 20;

    @TestHTTPResource("/")
    URL baseUrl;

    @Inject
    WorkerLifecycle lifecycle;

    private static BitNetModel reference;
    private ManagedChannel channel;
    private WorkerClient worker;

    @BeforeAll
    static void loadReference() {
        reference = TestModels.load(TestModels.whole());
    }

    @AfterAll
    static void closeReference() {
        reference.close();
    }

    @BeforeEach
    void connect() throws InterruptedException {
        channel = NettyChannelBuilder.forAddress(baseUrl.getHost(), baseUrl.getPort()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        worker = new WorkerClient(TernWorkerGrpc.newBlockingStub(channel));
        worker.awaitReady(Duration.ofSeconds(60));
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private static int[] prompt(int length, int seed) {
        return IntStream.range(0, length).map(i -> (seed * 31 + i * 17) % TestModels.SHAPE.vocab()).toArray();
    }

    /** What ForwardPass alone gives: logits after the prompt, then after each of the decoded tokens. */
    private static List<float[]> referenceRun(int[] prompt, int[] decoded) {
        ForwardPass pass = new ForwardPass(reference, 64);
        KvCache cache = pass.newCache(512);
        List<float[]> out = new ArrayList<>();
        out.add(pass.forward(prompt, cache, false));
        for (int t : decoded) {
            out.add(pass.forward(new int[] {t}, cache, false));
        }
        return out;
    }

    /** Prefill then greedy decode through the worker; returns the logits of every step and the tokens chosen. */
    private record Run(List<float[]> logits, int[] decoded) {
    }

    private Run workerRun(String seq, int[] prompt) {
        List<float[]> logits = new ArrayList<>();
        int[] decoded = new int[DECODE_STEPS];
        float[] l = worker.lastLogits(tokens(seq, 0, prompt).setMaxPositions(96));
        logits.add(l);
        int pos = prompt.length;
        for (int i = 0; i < DECODE_STEPS; i++) {
            decoded[i] = argmax(l);
            l = worker.lastLogits(tokens(seq, pos++, decoded[i]));
            logits.add(l);
        }
        return new Run(logits, decoded);
    }

    private void release(String... ids) {
        worker.stub().release(ReleaseRequest.newBuilder().addAllSequenceIds(List.of(ids)).build());
    }

    @Test
    void prefillThenDecodeMatchesEngineExactly() {
        int[] prompt = prompt(50, 1); // longer than a 32-token step: the prefill is chunked
        Run run = workerRun("exact", prompt);
        List<float[]> expected = referenceRun(prompt, run.decoded());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), run.logits().get(i), "logits of step " + i);
        }
        release("exact");
    }

    @Test
    void allLogitsModeReturnsEveryPosition() {
        int[] prompt = prompt(40, 2);
        ForwardResponse r = worker.forward(tokens("all", 0, prompt).setLogitsMode(LogitsMode.LOGITS_ALL)
                .setMaxPositions(64));
        var logits = r.getResults(0).getLogits();
        assertEquals(40, logits.getNPositions());
        assertEquals(0, logits.getFirstPosition());
        assertEquals(40, r.getResults(0).getKvLength());
        ForwardPass pass = new ForwardPass(reference, 64);
        assertArrayEquals(pass.forward(prompt, pass.newCache(64), true), WorkerClient.logits(r.getResults(0)));
        release("all");
    }

    @Test
    void concurrentSequencesAreBatchedAndMatchSoloRuns() throws Exception {
        int streams = 8;
        ExecutorService pool = Executors.newFixedThreadPool(streams);
        List<Future<Run>> runs = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            int[] p = prompt(5 + 3 * s, 10 + s);
            prompts.add(p);
            String id = "batch-" + s;
            runs.add(pool.submit(() -> workerRun(id, p)));
        }
        for (int s = 0; s < streams; s++) {
            Run run = runs.get(s).get(120, TimeUnit.SECONDS);
            List<float[]> expected = referenceRun(prompts.get(s), run.decoded());
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), run.logits().get(i), "stream " + s + " step " + i);
            }
        }
        pool.shutdown();
        int merged = lifecycle.scheduler().orElseThrow().snapshot().maxSegmentsInBatch();
        assertTrue(merged > 1, "the scheduler never merged sequences into one step (max " + merged + ")");
        release(IntStream.range(0, streams).mapToObj(s -> "batch-" + s).toArray(String[]::new));
    }

    @Test
    void kvBudgetRefusesWhatDoesNotFitAndReleaseFreesIt() {
        // The int8 path's default KV cache: F16.
        long perSequence = KvCache.bytesFor(TestModels.SHAPE.nLayer(), TestModels.SHAPE.nHeadKv(), TestModels.SHAPE.headDim(), 512, KvType.F16);
        List<String> held = new ArrayList<>();
        StatusRuntimeException refused = null;
        for (int i = 0; i < 64 && refused == null; i++) {
            String id = "kv-" + i;
            try {
                worker.forward(tokens(id, 0, 1, 2, 3)); // max_positions 0: the whole 512 context
                held.add(id);
            } catch (StatusRuntimeException e) {
                refused = e;
            }
        }
        assertTrue(refused != null, "the KV budget never ran out");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("KV budget"), refused.getStatus().getDescription());
        DescribeResponse full = worker.describe();
        assertTrue(full.getKvUsedBytes() <= full.getKvBudgetBytes());
        assertTrue(full.getKvUsedBytes() + perSequence > full.getKvBudgetBytes());

        var released = worker.stub().release(ReleaseRequest.newBuilder().addSequenceIds(held.getFirst())
                .addSequenceIds("never-existed").build());
        assertEquals(1, released.getReleased());
        assertEquals(full.getKvUsedBytes() - perSequence, released.getKvUsedBytes());
        worker.forward(tokens("kv-again", 0, 1, 2, 3)); // fits now
        held.add("kv-again");
        release(held.toArray(String[]::new));
    }

    @Test
    void idleSequencesAreFreed() throws InterruptedException {
        worker.forward(tokens("idle", 0, 4, 5, 6).setMaxPositions(16));
        BatchScheduler scheduler = lifecycle.scheduler().orElseThrow();
        assertTrue(scheduler.holds("idle"));
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (scheduler.holds("idle") && System.nanoTime() < giveUp) {
            Thread.sleep(200);
        }
        StatusRuntimeException gone = assertThrows(StatusRuntimeException.class,
                () -> worker.forward(tokens("idle", 3, 7)));
        assertEquals(Status.Code.INVALID_ARGUMENT, gone.getStatus().getCode());
        assertTrue(gone.getStatus().getDescription().contains("unknown"), gone.getStatus().getDescription());
    }

    @Test
    void badInputsAreInvalidArgumentWithAReason() {
        assertInvalid("unknown to this worker", () -> worker.forward(tokens("new-late", 5, 1)));
        worker.forward(tokens("gap", 0, 1, 2).setMaxPositions(16));
        assertInvalid("leave a gap", () -> worker.forward(tokens("gap", 3, 1)));
        assertInvalid("outside the vocabulary", () -> worker.forward(tokens("gap", 2, TestModels.SHAPE.vocab())));
        assertInvalid("outside the vocabulary", () -> worker.forward(tokens("gap", 2, -1)));
        assertInvalid("exceeds its 16 reserved positions",
                () -> worker.forward(tokens("gap", 2, new int[15])));
        assertInvalid("takes token ids, not hidden states",
                () -> worker.forward(WorkerClient.hidden("gap", 2, new float[256], 256)));
        assertInvalid("more than one step", () -> worker.forward(tokens("dup", 0, 1), tokens("dup", 0, 2)));
        assertInvalid("exceeds the model's context length",
                () -> worker.forward(tokens("huge", 0, 1).setMaxPositions(100_000)));
        // The sequence is intact after refused steps: position 2 still continues it.
        assertEquals(3, worker.forward(tokens("gap", 2, 3)).getResults(0).getKvLength());
        // Rewinding overwrites: the same step again gives the same logits.
        float[] first = worker.lastLogits(tokens("gap", 2, 9));
        assertArrayEquals(first, worker.lastLogits(tokens("gap", 2, 9)));
        release("gap");
    }

    @Test
    void forwardStreamAnswersEachRequestInOrder() throws Exception {
        int[] prompt = prompt(6, 3);
        var responses = new java.util.concurrent.LinkedBlockingQueue<Object>();
        var requests = TernWorkerGrpc.newStub(channel).forwardStream(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(ForwardResponse r) {
                responses.add(r);
            }

            @Override
            public void onError(Throwable t) {
                responses.add(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        requests.onNext(io.tern.proto.worker.v1.ForwardRequest.newBuilder().setBatchId(1)
                .addSteps(tokens("stream", 0, prompt).setMaxPositions(16)).build());
        requests.onNext(io.tern.proto.worker.v1.ForwardRequest.newBuilder().setBatchId(2)
                .addSteps(tokens("stream", 6, 11)).build());
        requests.onCompleted();
        List<float[]> expected = referenceRun(prompt, new int[] {11});
        for (int i = 0; i < 2; i++) {
            Object r = responses.poll(60, TimeUnit.SECONDS);
            if (!(r instanceof ForwardResponse fr)) {
                throw new AssertionError("stream answered " + r);
            }
            assertEquals(i + 1, fr.getBatchId());
            assertArrayEquals(expected.get(i), WorkerClient.logits(fr.getResults(0)));
        }
        release("stream");
    }

    @Test
    void otherModelIsFailedPrecondition() {
        var e = assertThrows(StatusRuntimeException.class, () -> worker.stub().forward(
                io.tern.proto.worker.v1.ForwardRequest.newBuilder().setModel("other").addSteps(tokens("m", 0, 1))
                        .build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    }

    @Test
    void describeReportsShardAndLoad() {
        DescribeResponse d = worker.describe();
        assertEquals("READY", d.getState());
        assertEquals("tiny", d.getModel());
        assertEquals("v1", d.getVersion());
        assertEquals(0, d.getLayerStart());
        assertEquals(4, d.getLayerEnd());
        assertEquals(4, d.getNLayers());
        assertEquals(256, d.getNEmbd());
        assertEquals(303, d.getNVocab());
        assertTrue(d.getIsFirst() && d.getIsLast());
        assertEquals(WholeModelResource.KV_BUDGET_MB << 20, d.getKvBudgetBytes());
        assertEquals(WholeModelResource.MAX_BATCH_TOKENS, d.getMaxBatchTokens());
        assertEquals(512, d.getContextLength());
        io.restassured.RestAssured.given().get("/q/health/ready").then().statusCode(200);
        workerRun("metered", prompt(8, 3));  // at least one step: every phase has booked time
        release("metered");
        String metrics = io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("tern_worker_kv_budget_bytes")).extract().asString();
        for (String phase : new String[] {"qkv", "attention", "wo", "gate_up", "down", "head"}) {
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("tern_worker_step_phase_seconds_total\\{phase=\"" + phase + "\"\\} ([0-9.eE+-]+)").matcher(metrics);
            assertTrue(m.find(), phase + " missing from /q/metrics");
            assertTrue(Double.parseDouble(m.group(1)) > 0, phase + " booked no time: " + m.group());
        }
        double jobs = counter(metrics, "tern_worker_compute_jobs_total"), solo = counter(metrics, "tern_worker_compute_solo_jobs_total");
        assertTrue(solo >= 0 && solo <= jobs, "solo jobs " + solo + " of " + jobs);
    }

    private static double counter(String metrics, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(metrics);
        assertTrue(m.find(), name + " missing from /q/metrics");
        return Double.parseDouble(m.group(2));
    }

    private static void assertInvalid(String reason, org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(reason),
                "expected '" + reason + "' in: " + e.getStatus().getDescription());
    }
}
