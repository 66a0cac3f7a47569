package io.tern.deploy.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts a real broker, writes a record, restarts the broker and reads the record back. */
class LocalKafkaTest {

    private static final String TOPIC = "tern-local-kafka-test";

    @TempDir
    Path workDir;

    @Test
    void recordSurvivesRestart() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(workDir)) {
            assertTrue(kafka.isRunning());
            String bootstrap = kafka.bootstrapServers();
            produce(bootstrap, "request-1", "hello");
            assertEquals(List.of("request-1=hello"), consumeAll(bootstrap, 1));

            kafka.stop();
            assertFalse(kafka.isRunning());

            kafka.restart();
            assertTrue(kafka.isRunning());
            assertEquals(bootstrap, kafka.bootstrapServers());
            assertEquals(List.of("request-1=hello"), consumeAll(bootstrap, 1));

            produce(bootstrap, "request-2", "again");
            assertEquals(List.of("request-1=hello", "request-2=again"), consumeAll(bootstrap, 2));
        }
    }

    private static void produce(String bootstrap, String key, String value) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(TOPIC, key, value)).get();
        }
    }

    /** Reads the topic from the beginning with a fresh group until {@code expected} records arrived (or 60 s). */
    private static List<String> consumeAll(String bootstrap, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    seen.add(record.key() + "=" + record.value());
                }
            }
        }
        return seen;
    }
}
