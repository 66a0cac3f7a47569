package io.tern.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.deploy.kafka.LocalKafka;
import io.tern.engine.sampler.SamplingParams;
import io.tern.gateway.testworker.TinyModels;
import io.tern.gateway.testworker.WorkerPipelineResource;
import io.tern.proto.gateway.v1.GenerateResponse;
import io.tern.proto.gateway.v1.TernGatewayGrpc;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Request-log records reach a real broker, also across a broker outage (they wait in the spool). */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@WithTestResource(WorkerPipelineResource.class)
class RequestLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL baseUrl;

    @Inject
    WorkerDiscovery discovery;

    @Inject
    RequestLog requestLog;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    LocalKafka kafka;

    private ManagedChannel channel;
    private TernGatewayGrpc.TernGatewayBlockingStub gateway;

    @BeforeEach
    void connect() {
        discovery.round();
        channel = TestChannels.open(baseUrl);
        gateway = TernGatewayGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws Exception {
        if (kafka != null && !kafka.isRunning()) {
            kafka.restart();
        }
        TestChannels.close(channel);
    }

    private GenerateResponse generate(String requestId, int maxTokens) {
        return gateway.withDeadlineAfter(120, TimeUnit.SECONDS).generateUnary(
                GenerationTest.request(GenerationTest.PROMPT, maxTokens, SamplingParams.GREEDY)
                        .setRequestId(requestId).setClientId("test-client").build());
    }

    @Test
    void recordCarriesTheRequestsCounts() throws Exception {
        String id = "log-" + UUID.randomUUID();
        GenerateResponse r = generate(id, 6);

        JsonNode record = JSON.readTree(read(Set.of(id)).get(id));
        assertEquals(1, record.get("schema_version").asInt());
        assertEquals(id, record.get("request_id").asText());
        assertEquals("grpc", record.get("api").asText());
        assertEquals("test-client", record.get("client_id").asText());
        assertEquals(TinyModels.MODEL, record.get("model").asText());
        assertEquals(TinyModels.VERSION, record.get("version").asText());
        assertEquals(r.getUsage().getPromptTokens(), record.get("prompt_tokens").asInt());
        assertEquals(r.getUsage().getCompletionTokens(), record.get("completion_tokens").asInt());
        assertEquals(r.getFinishReason().name().toLowerCase(), record.get("finish_reason").asText());
        assertEquals("ok", record.get("status").asText());
        assertTrue(record.get("error").isNull());
        assertTrue(record.get("time_to_first_token_ms").asDouble() > 0);
        assertTrue(record.get("total_ms").asDouble() >= record.get("time_to_first_token_ms").asDouble());
        assertEquals(2, record.get("workers").size());
        assertFalse(record.has("prompt"), "text stays out unless tern.gateway.request-log.include-text=true");
    }

    @Test
    void recordsWaitInTheSpoolWhileTheBrokerIsDown() throws Exception {
        assumeTrue(kafka != null, "needs the local broker (not an external one) to stop and restart it");
        String prefix = "spool-" + UUID.randomUUID() + "-";
        int n = 0;
        for (int i = 0; i < 6; i++) {
            generate(prefix + n++, 2);
        }
        kafka.stop();
        for (int i = 0; i < 6; i++) {
            generate(prefix + n++, 2);
        }
        assertTrue(requestLog.pendingBytes() > 0, "records of requests served while Kafka is down wait on disk");
        kafka.restart();
        for (int i = 0; i < 6; i++) {
            generate(prefix + n++, 2);
        }
        Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            expected.add(prefix + i);
        }
        Map<String, String> got = read(expected);
        assertEquals(expected, got.keySet());
    }

    /** Reads the topic from the start until every key showed up (duplicates allowed) or 120 s pass. */
    private Map<String, String> read(Set<String> keys) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, String> values = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(requestLog.topic()));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!values.keySet().containsAll(keys) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (keys.contains(record.key())) {
                        values.put(record.key(), record.value());
                    }
                }
            }
        }
        return values;
    }
}
