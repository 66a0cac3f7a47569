package io.tern.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * The request log: one JSON record per request on a Kafka topic, keyed by request id. Every record
 * first goes to the on-disk {@link RequestLogSpool}; a sender thread ships sealed segments with an
 * idempotent, acks=all producer and deletes each segment once all its records are acknowledged.
 * While Kafka is unreachable serving goes on and records wait on disk; they are sent when Kafka is
 * back (at-least-once: a segment that failed half-way is sent again).
 */
@ApplicationScoped
public class RequestLog {

    private static final Logger LOG = Logger.getLogger(RequestLog.class);
    private static final long IDLE_WAIT_MS = 200;
    private static final long MAX_BACKOFF_MS = 5000;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    GatewayConfig config;

    @Inject
    MeterRegistry metrics;

    private RequestLogSpool spool;
    private KafkaProducer<String, byte[]> producer;
    private Thread sender;
    private volatile boolean running;
    private final Object wakeUp = new Object();

    void start(@Observes StartupEvent event) {
        Path dir = Path.of(config.requestLog().spoolDir()
                .orElse(System.getProperty("java.io.tmpdir") + "/tern-gateway/request-log-spool"));
        try {
            spool = new RequestLogSpool(dir, config.requestLog().spoolMaxBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the request-log spool " + dir, e);
        }
        Gauge.builder("tern.gateway.request.log.spool.bytes", spool, RequestLogSpool::bytes)
                .description("Request-log bytes on disk waiting for Kafka").register(metrics);
        Gauge.builder("tern.gateway.request.log.dropped", spool, RequestLogSpool::dropped)
                .description("Request-log records dropped because the spool was full").register(metrics);
        running = true;
        if (config.requestLog().enabled()) {
            sender = Thread.ofPlatform().daemon().name("request-log-sender").start(this::sendLoop);
        }
    }

    void stop(@Observes ShutdownEvent event) throws IOException, InterruptedException {
        running = false;
        if (sender != null) {
            sender.interrupt();
            sender.join(10_000);
        }
        synchronized (this) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
        }
        if (spool != null) {
            spool.close();
        }
    }

    public String topic() {
        return config.requestLog().topic();
    }

    /** Appends a record to the spool (durably); Kafka gets it soon after. */
    public void append(String requestId, byte[] record) {
        try {
            if (!spool.append(requestId, record)) {
                LOG.warnf("request-log spool is full (%d bytes): record %s dropped", spool.bytes(), requestId);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write request-log record " + requestId + " to the spool", e);
        }
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    /** Bytes waiting in the spool (0 once Kafka has everything). */
    public long pendingBytes() {
        return spool.bytes();
    }

    private void sendLoop() {
        long backoff = 0;
        while (running) {
            try {
                if (backoff > 0) {
                    Thread.sleep(backoff);
                }
                var segment = spool.nextToSend();
                if (segment.isEmpty()) {
                    synchronized (wakeUp) {
                        wakeUp.wait(IDLE_WAIT_MS);
                    }
                    continue;
                }
                send(spool.read(segment.get()));
                spool.delete(segment.get());
                backoff = 0;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (backoff == 0) {
                    LOG.warnf("request log: Kafka not reachable (%s); records wait in the spool", e.toString());
                }
                backoff = Math.min(MAX_BACKOFF_MS, Math.max(250, backoff * 2));
                resetProducer();
            }
        }
    }

    private void send(List<RequestLogSpool.Entry> entries) throws Exception {
        KafkaProducer<String, byte[]> p = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(entries.size());
        for (RequestLogSpool.Entry e : entries) {
            acks.add(p.send(new ProducerRecord<>(topic(), e.key(), e.value())));
        }
        p.flush();
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> c = new HashMap<>(kafkaConfig);
            c.put(ProducerConfig.ACKS_CONFIG, "all");
            c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
            c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
            c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15000);
            c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            c.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
            producer = new KafkaProducer<>(c);
        }
        return producer;
    }

    private synchronized void resetProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }
}
