package io.tern.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.engine.generate.Generator;
import io.tern.engine.sampler.SamplingParams;
import io.tern.gateway.testworker.TestWorkers;
import io.tern.gateway.testworker.TinyModels;
import io.tern.gateway.testworker.WorkerPipelineResource;
import io.tern.proto.gateway.v1.FinishReason;
import io.tern.proto.gateway.v1.GenerateChunk;
import io.tern.proto.gateway.v1.GenerateRequest;
import io.tern.proto.gateway.v1.GenerateResponse;
import io.tern.proto.gateway.v1.ModelSelector;
import io.tern.proto.gateway.v1.TernGatewayGrpc;
import io.tern.proto.gateway.v1.TokenizeRequest;
import io.tern.proto.inference.GRPCInferenceServiceGrpc;
import io.tern.proto.inference.InferParameter;
import io.tern.proto.inference.InferTensorContents;
import io.tern.proto.inference.ModelInferRequest;
import io.tern.proto.inference.ModelInferResponse;
import io.tern.proto.inference.ModelMetadataRequest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Generation through a 2-shard worker chain over the Tern gRPC API and OIP, checked against the single engine. */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@WithTestResource(WorkerPipelineResource.class)
class GenerationTest {

    static final String PROMPT = "hello world, the bitnet";

    @TestHTTPResource("/")
    URL baseUrl;

    @Inject
    WorkerDiscovery discovery;

    TestWorkers workers;

    private ManagedChannel channel;
    private TernGatewayGrpc.TernGatewayBlockingStub gateway;

    @BeforeEach
    void connect() {
        discovery.round();
        channel = TestChannels.open(baseUrl);
        gateway = TernGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        TestChannels.close(channel);
    }

    static GenerateRequest.Builder request(String prompt, int maxTokens, SamplingParams p) {
        return GenerateRequest.newBuilder()
                .setModel(ModelSelector.newBuilder().setName(TinyModels.MODEL))
                .setPrompt(prompt)
                .setSampling(io.tern.proto.gateway.v1.SamplingParams.newBuilder()
                        .setMaxTokens(maxTokens).setTemperature(p.temperature()).setTopK(p.topK())
                        .setTopP(p.topP()).setSeed(p.seed()));
    }

    @Test
    void twoShardChainGivesTheSingleEngineTokens() {
        for (SamplingParams p : List.of(SamplingParams.GREEDY, new SamplingParams(0.9f, 40, 0.95f, 1234),
                new SamplingParams(1.2f, 0, 1f, 100))) {
            Generator.Result expected = EngineReference.generate(PROMPT, 24, p);
            assertTrue(expected.tokens().length > 1, "the engine generates something for " + p);
            GenerateResponse got = gateway.generateUnary(request(PROMPT, 24, p).build());
            assertArrayEquals(expected.tokens(), got.getTokenIdsList().stream().mapToInt(Integer::intValue).toArray(),
                    "tokens for " + p);
            assertEquals(EngineReference.visibleText(expected), got.getText());
            assertEquals(expected.finish() == Generator.FinishReason.STOP ? FinishReason.STOP : FinishReason.LENGTH,
                    got.getFinishReason());
            assertEquals(expected.promptIds().length, got.getUsage().getPromptTokens());
            assertEquals(expected.tokens().length, got.getUsage().getCompletionTokens());
            assertEquals(TinyModels.VERSION, got.getModelVersion());
            assertFalse(got.getRequestId().isEmpty());
        }
        assertEquals(0, workers.liveSequences(), "every sequence is released on the workers");
    }

    @Test
    void streamingSendsTheSameTokensAndEndsWithUsage() {
        SamplingParams p = new SamplingParams(0.8f, 0, 0.9f, 7);
        Generator.Result expected = EngineReference.generate(PROMPT, 20, p);
        Iterator<GenerateChunk> chunks = gateway.generate(request(PROMPT, 20, p).setRequestId("stream-1").build());
        List<Integer> ids = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        GenerateChunk last = null;
        int n = 0;
        while (chunks.hasNext()) {
            last = chunks.next();
            if (n++ == 0) {
                assertEquals(TinyModels.VERSION, last.getModelVersion());
            }
            assertEquals("stream-1", last.getRequestId());
            ids.addAll(last.getTokenIdsList());
            text.append(last.getTextDelta());
        }
        assertArrayEquals(expected.tokens(), ids.stream().mapToInt(Integer::intValue).toArray());
        assertEquals(EngineReference.visibleText(expected), text.toString());
        assertTrue(last.getFinishReason() == FinishReason.STOP || last.getFinishReason() == FinishReason.LENGTH);
        assertEquals(expected.tokens().length, last.getUsage().getCompletionTokens());
    }

    @Test
    void stopStringEndsGenerationAndIsNotReturned() {
        Generator.Result free = EngineReference.generate(PROMPT, 40, SamplingParams.GREEDY);
        String full = EngineReference.visibleText(free);
        assertTrue(full.length() >= 8, "the greedy text is long enough to cut: '" + full + "'");
        String stop = full.substring(4, 7);
        GenerateResponse got = gateway.generateUnary(request(PROMPT, 40, SamplingParams.GREEDY)
                .setSampling(io.tern.proto.gateway.v1.SamplingParams.newBuilder().setMaxTokens(40).setTemperature(0)
                        .addStop(stop)).build());
        assertEquals(full.substring(0, full.indexOf(stop)), got.getText());
        assertEquals(FinishReason.STOP, got.getFinishReason());
    }

    @Test
    void badRequestsGetTheRightStatus() {
        var unknown = assertThrows(StatusRuntimeException.class, () -> gateway.generateUnary(request(PROMPT, 4, SamplingParams.GREEDY)
                .setModel(ModelSelector.newBuilder().setName("no-such-model")).build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        var version = assertThrows(StatusRuntimeException.class, () -> gateway.generateUnary(request(PROMPT, 4, SamplingParams.GREEDY)
                .setModel(ModelSelector.newBuilder().setName(TinyModels.MODEL).setVersion("v9")).build()));
        assertEquals(Status.Code.NOT_FOUND, version.getStatus().getCode());
        var temperature = assertThrows(StatusRuntimeException.class, () -> gateway.generateUnary(request(PROMPT, 4, SamplingParams.GREEDY)
                .setSampling(io.tern.proto.gateway.v1.SamplingParams.newBuilder().setTemperature(-1)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, temperature.getStatus().getCode());
        var topP = assertThrows(StatusRuntimeException.class, () -> gateway.generateUnary(request(PROMPT, 4, SamplingParams.GREEDY)
                .setSampling(io.tern.proto.gateway.v1.SamplingParams.newBuilder().setTopP(1.5f)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, topP.getStatus().getCode());
        String longPrompt = "hello ".repeat(600);
        var tooLong = assertThrows(StatusRuntimeException.class, () -> gateway.generateUnary(request(longPrompt, 4, SamplingParams.GREEDY).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, tooLong.getStatus().getCode());
        int promptTokens = EngineReference.tokenizer().encodeWithBos(longPrompt, false).length;
        assertTrue(tooLong.getStatus().getDescription().contains(promptTokens + " tokens"), tooLong.getStatus().getDescription());
        assertTrue(tooLong.getStatus().getDescription().contains("512"), tooLong.getStatus().getDescription());

        var oip = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        var negative = assertThrows(StatusRuntimeException.class, () -> oip.modelInfer(infer(bytesInput("hi"))
                .putParameters("max_tokens", InferParameter.newBuilder().setInt64Param(-1).build()).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, negative.getStatus().getCode());
        assertTrue(negative.getStatus().getDescription().contains("max_tokens"));
        byte[] invalid = {'h', 'i', (byte) 0xC3, (byte) 0x28};
        var utf8 = assertThrows(StatusRuntimeException.class, () -> oip.modelInfer(infer(ModelInferRequest.InferInputTensor.newBuilder()
                .setName("text_input").setDatatype("BYTES").addShape(1)
                .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(invalid)))).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, utf8.getStatus().getCode());
        assertTrue(utf8.getStatus().getDescription().contains("UTF-8"));
    }

    @Test
    void oipModelInferGeneratesText() {
        Generator.Result expected = EngineReference.generate(PROMPT, 12, new SamplingParams(0.7f, 20, 1f, 5));
        var oip = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
        byte[] prompt = PROMPT.getBytes(StandardCharsets.UTF_8);
        ByteBuffer raw = ByteBuffer.allocate(4 + prompt.length).order(ByteOrder.LITTLE_ENDIAN).putInt(prompt.length).put(prompt).flip();
        ModelInferResponse r = oip.modelInfer(infer(ModelInferRequest.InferInputTensor.newBuilder()
                        .setName("text_input").setDatatype("BYTES").addShape(1))
                .addRawInputContents(ByteString.copyFrom(raw))
                .setId("oip-1")
                .putParameters("max_tokens", InferParameter.newBuilder().setInt64Param(12).build())
                .putParameters("temperature", InferParameter.newBuilder().setDoubleParam(0.7).build())
                .putParameters("top_k", InferParameter.newBuilder().setInt64Param(20).build())
                .putParameters("seed", InferParameter.newBuilder().setInt64Param(5).build())
                .build());
        assertEquals("oip-1", r.getId());
        assertEquals(TinyModels.VERSION, r.getModelVersion());
        assertEquals("text_output", r.getOutputs(0).getName());
        assertEquals("BYTES", r.getOutputs(0).getDatatype());
        ByteBuffer out = r.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        byte[] text = new byte[out.getInt()];
        out.get(text);
        assertEquals(EngineReference.visibleText(expected), new String(text, StandardCharsets.UTF_8));
        assertEquals(expected.tokens().length, r.getParametersOrThrow("completion_tokens").getInt64Param());
        assertEquals(expected.promptIds().length, r.getParametersOrThrow("prompt_tokens").getInt64Param());

        var meta = oip.modelMetadata(ModelMetadataRequest.newBuilder().setName(TinyModels.MODEL).build());
        assertEquals("text_input", meta.getInputs(0).getName());
        assertEquals("BYTES", meta.getInputs(0).getDatatype());
        assertEquals("text_output", meta.getOutputs(0).getName());
        assertEquals(List.of(TinyModels.VERSION), meta.getVersionsList());
        var missing = assertThrows(StatusRuntimeException.class,
                () -> oip.modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    }

    @Test
    void tokenizeMatchesTheEngineTokenizer() {
        var r = gateway.tokenize(TokenizeRequest.newBuilder().setModel(ModelSelector.newBuilder().setName(TinyModels.MODEL))
                .setText(PROMPT).setAddSpecialTokens(true).build());
        assertArrayEquals(EngineReference.tokenizer().encodeWithBos(PROMPT, false),
                r.getTokenIdsList().stream().mapToInt(Integer::intValue).toArray());
        assertEquals(r.getTokenIdsCount(), r.getPiecesCount());
        assertEquals(TinyModels.VERSION, r.getModelVersion());
    }

    private static ModelInferRequest.InferInputTensor.Builder bytesInput(String text) {
        return ModelInferRequest.InferInputTensor.newBuilder().setName("text_input").setDatatype("BYTES").addShape(1)
                .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8(text)));
    }

    private static ModelInferRequest.Builder infer(ModelInferRequest.InferInputTensor.Builder input) {
        return ModelInferRequest.newBuilder().setModelName(TinyModels.MODEL).addInputs(input);
    }

    static int[] ints(List<Integer> ids) {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    static String show(int[] ids) {
        return Arrays.toString(ids);
    }
}
