package io.tern.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The request log writes to a real broker (LocalKafka, or TERN_TEST_KAFKA_BOOTSTRAP) and reads back. */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class RequestLogTest {

    @Inject
    RequestLog requestLog;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void appendedRecordCanBeReadBack() throws Exception {
        String requestId = "req-" + UUID.randomUUID();
        requestLog.append(requestId, "prompt: hi".getBytes(StandardCharsets.UTF_8))
                .toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertEquals("prompt: hi", readValue(requestId));
    }

    /** Reads the topic from the start until a record with {@code key} shows up (or 60 s pass). */
    private String readValue(String key) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(requestLog.topic()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(record.key())) {
                        values.add(new String(record.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        assertEquals(1, values.size(), "records with key " + key);
        return values.getFirst();
    }
}
