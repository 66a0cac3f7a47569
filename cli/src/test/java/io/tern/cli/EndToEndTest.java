package io.tern.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.cli.up.LocalCluster;
import io.tern.cli.up.ServiceProcess;
import io.tern.engine.forward.ForwardPass;
import io.tern.engine.generate.Generator;
import io.tern.engine.gguf.GgmlType;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.GgufTokenizer;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.sampler.SamplingParams;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import io.tern.engine.tokenizer.Tokenizer;
import io.tern.proto.gateway.v1.GenerateChunk;
import io.tern.proto.gateway.v1.GenerateRequest;
import io.tern.proto.gateway.v1.GenerateResponse;
import io.tern.proto.gateway.v1.ModelSelector;
import io.tern.proto.gateway.v1.TernGatewayGrpc;
import io.tern.proto.inference.GRPCInferenceServiceGrpc;
import io.tern.proto.inference.InferParameter;
import io.tern.proto.inference.ModelInferRequest;
import io.tern.proto.inference.ModelInferResponse;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole system as `tern up` runs it: a real Kafka broker, the weight-store importing a model,
 * two inference-workers holding half of the layers each, and the gateway, all as separate
 * processes on loopback; checked through the public APIs against the single-process engine.
 */
class EndToEndTest {
    static final String MODEL = "e2e";
    static Path dir;
    static Path modelFile;
    static LocalCluster cluster;
    static ManagedChannel channel;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createDirectories(Path.of("target", "e2e-" + UUID.randomUUID()));
        modelFile = dir.resolve("model.gguf");
        new TestModelGenerator(BitNetShape.tiny()).weightType(GgmlType.TQ2_0).seed(3).write(modelFile);
        Path home = Path.of("..").toAbsolutePath().normalize();
        cluster = LocalCluster.start(new LocalCluster.Spec(home, dir.toAbsolutePath(), modelFile.toAbsolutePath(), MODEL,
                2, LocalCluster.freePort(), 0), System.out::println);
        channel = ManagedChannelBuilder.forTarget(cluster.gateway().address()).usePlaintext().build();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (channel != null) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        if (cluster != null) cluster.close();
    }

    /** What `tern generate` produces for the same file, prompt and sampling. */
    static int[] engineTokens(String prompt, int maxTokens, SamplingParams params) throws Exception {
        try (BitNetModel model = ModelLoader.load(modelFile, ModelOptions.defaults())) {
            Tokenizer tokenizer = GgufTokenizer.load(model.file().metadata());
            Generator g = new Generator(new ForwardPass(model, 256), tokenizer);
            return g.generate(tokenizer.encodeWithBos(prompt, false), maxTokens, params, s -> { }).tokens();
        }
    }

    static GenerateRequest request(String prompt, int maxTokens, float temperature, long seed) {
        return GenerateRequest.newBuilder()
                .setModel(ModelSelector.newBuilder().setName(MODEL))
                .setPrompt(prompt)
                .setRequestId("e2e-" + UUID.randomUUID())
                .setSampling(io.tern.proto.gateway.v1.SamplingParams.newBuilder()
                        .setMaxTokens(maxTokens).setTemperature(temperature).setTopK(40).setTopP(0.95f).setSeed(seed))
                .build();
    }

    @Test
    void everyServiceRunsWithTheEngineJvmFlags() throws Exception {
        List<ServiceProcess> services = new ArrayList<>(cluster.workers());
        services.add(cluster.store());
        services.add(cluster.gateway());
        for (ServiceProcess p : services) {
            // The JVM says so on its first line when deploy/jvm/engine.args added the Vector API module.
            String log = Files.readString(p.log());
            assertTrue(log.contains("Using incubator modules: jdk.incubator.vector"), p.name() + " started without the engine's JVM flags:\n" + p.tail(5));
        }
    }

    @Test
    void generationThroughTwoShardsEqualsTheSingleEngine() throws Exception {
        var stub = TernGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES);
        for (float temperature : new float[]{0f, 0.9f}) {
            GenerateResponse r = stub.generateUnary(request("hello world. the bitnet", 20, temperature, 1234));
            int[] expected = engineTokens("hello world. the bitnet", 20, new SamplingParams(temperature, 40, 0.95f, 1234));
            assertArrayEquals(expected, r.getTokenIdsList().stream().mapToInt(Integer::intValue).toArray(), "temperature " + temperature);
            assertEquals(expected.length, r.getUsage().getCompletionTokens());
        }
        // Streaming gives the same tokens as unary.
        List<Integer> streamed = new ArrayList<>();
        Iterator<GenerateChunk> it = stub.generate(request("hello world. the bitnet", 20, 0.9f, 1234));
        it.forEachRemaining(c -> streamed.addAll(c.getTokenIdsList()));
        assertArrayEquals(engineTokens("hello world. the bitnet", 20, new SamplingParams(0.9f, 40, 0.95f, 1234)),
                streamed.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void everyRequestLeavesARecordInKafka() throws Exception {
        GenerateRequest req = request("the bitnet", 8, 0f, 1);
        GenerateResponse r = TernGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES).generateUnary(req);
        JsonNode record = awaitRecord(req.getRequestId());
        assertEquals(MODEL, record.path("model").asText());
        assertEquals(r.getUsage().getPromptTokens(), record.path("prompt_tokens").asInt());
        assertEquals(r.getUsage().getCompletionTokens(), record.path("completion_tokens").asInt());
        assertEquals("grpc", record.path("api").asText());
    }

    @Test
    void openAiCompletionsPlainAndStreaming() throws Exception {
        String body = "{\"model\": \"" + MODEL + "\", \"prompt\": \"hello world\", \"max_tokens\": 12, \"temperature\": 0}";
        HttpResponse<String> plain = post("/v1/completions", body);
        assertEquals(200, plain.statusCode(), plain.body());
        JsonNode json = JSON.readTree(plain.body());
        String text = json.path("choices").get(0).path("text").asText();
        int completion = json.path("usage").path("completion_tokens").asInt();
        assertTrue(completion >= 1 && completion <= 12, plain.body());
        assertTrue(json.path("usage").path("prompt_tokens").asInt() > 0, plain.body());

        HttpResponse<String> sse = post("/v1/completions", body.replace("}", ", \"stream\": true}"));
        assertEquals(200, sse.statusCode(), sse.body());
        StringBuilder streamed = new StringBuilder();
        for (String line : sse.body().split("\n")) {
            if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
            JsonNode chunk = JSON.readTree(line.substring(6));
            if (chunk.path("choices").size() > 0) streamed.append(chunk.path("choices").get(0).path("text").asText());
        }
        assertTrue(sse.body().contains("data: [DONE]"), sse.body());
        assertEquals(text, streamed.toString());
    }

    @Test
    void oipModelInferReturnsText() {
        ModelInferRequest req = ModelInferRequest.newBuilder()
                .setModelName(MODEL)
                .putParameters("max_tokens", InferParameter.newBuilder().setInt64Param(6).build())
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("text_input").setDatatype("BYTES").addShape(1)
                        .setContents(io.tern.proto.inference.InferTensorContents.newBuilder()
                                .addBytesContents(ByteString.copyFromUtf8("hello"))))
                .build();
        ModelInferResponse r = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES).modelInfer(req);
        ModelInferResponse.InferOutputTensor out = r.getOutputs(0);
        assertEquals("text_output", out.getName());
        String text = r.getRawOutputContentsCount() > 0
                ? bytesElement(r.getRawOutputContents(0))
                : out.getContents().getBytesContents(0).toStringUtf8();
        GenerateResponse same = TernGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES)
                .generateUnary(request("hello", 6, 0f, 0));
        assertEquals(same.getText(), text);
    }

    @Test
    void ternImportUploadsANewVersionWithAnAlias() throws Exception {
        String store = "http://" + cluster.store().address();
        assertEquals(1, TernCliTest.run("import", modelFile.toString(), "--model", "uploaded", "--store", store,
                "--token", "not-the-token").code(), "a wrong token is refused");
        TernCliTest.Run r = TernCliTest.run("import", modelFile.toString(), "--model", "uploaded", "--alias", "canary",
                "--store", store, "--token", cluster.adminToken());
        assertEquals(0, r.code(), r.err());
        JsonNode model = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(store + "/v1/models/uploaded")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(1, model.path("versions").size(), model.toString());
        assertTrue(model.toString().contains("canary"), model.toString());
    }

    @Test
    void badRequestsGetTheRightStatus() throws Exception {
        var stub = TernGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> stub.generateUnary(
                request("x", 4, 0f, 1).toBuilder().setModel(ModelSelector.newBuilder().setName("no-such-model")).build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());

        assertEquals(400, post("/v1/completions", "{\"model\": \"" + MODEL + "\", \"prompt\": \"x\", \"max_tokens\": -1}").statusCode());
        byte[] invalidUtf8 = ("{\"model\": \"" + MODEL + "\", \"prompt\": \"\u0001\"}").getBytes(StandardCharsets.UTF_8);
        invalidUtf8[invalidUtf8.length - 3] = (byte) 0xC3; // a lead byte with no continuation
        assertEquals(400, HTTP.send(HttpRequest.newBuilder(URI.create("http://" + cluster.gateway().address() + "/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(invalidUtf8)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        String tooLong = "word ".repeat(BitNetShape.tiny().contextLength() + 10);
        HttpResponse<String> longPrompt = post("/v1/completions", "{\"model\": \"" + MODEL + "\", \"prompt\": \"" + tooLong + "\", \"max_tokens\": 4}");
        assertEquals(400, longPrompt.statusCode(), longPrompt.body());
        assertTrue(longPrompt.body().contains("context"), longPrompt.body());
    }

    /** The first element of a KServe raw BYTES tensor: 4-byte little-endian length, then the bytes. */
    static String bytesElement(ByteString raw) {
        java.nio.ByteBuffer b = raw.asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        byte[] s = new byte[b.getInt()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + cluster.gateway().address() + path))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(1))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode awaitRecord(String requestId) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, JsonNode> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of("tern.request-log"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) seen.put(r.key(), JSON.readTree(r.value()));
                if (seen.containsKey(requestId)) return seen.get(requestId);
            }
        }
        throw new AssertionError("no request-log record for " + requestId + " (saw " + seen.keySet() + ")");
    }
}
