package io.tern.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tern.deploy.kafka.LocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Gives a test a real Kafka broker: a LocalKafka child JVM under target/, or the broker named by
 * {@value #EXTERNAL_BOOTSTRAP} (system property or environment variable) when that is set.
 * Tests can declare a {@code LocalKafka} field to get the broker (null when external), e.g. to
 * stop and restart it.
 */
public class LocalKafkaResource implements QuarkusTestResourceLifecycleManager {

    static final String EXTERNAL_BOOTSTRAP = "TERN_TEST_KAFKA_BOOTSTRAP";

    private LocalKafka kafka;

    @Override
    public Map<String, String> start() {
        String external = System.getProperty(EXTERNAL_BOOTSTRAP, System.getenv(EXTERNAL_BOOTSTRAP));
        if (external != null && !external.isBlank()) {
            return Map.of("kafka.bootstrap.servers", external);
        }
        Path workDir = Path.of("target", "local-kafka", "run-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            kafka = LocalKafka.start(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start local Kafka in " + workDir, e);
        }
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(kafka, new TestInjector.MatchesType(LocalKafka.class));
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.stop();
        }
    }
}
