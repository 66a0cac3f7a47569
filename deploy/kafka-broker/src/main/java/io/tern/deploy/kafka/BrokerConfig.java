package io.tern.deploy.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;

/**
 * Files of a single-node KRaft broker (broker and controller in one process) listening on 127.0.0.1:
 * {@code server.properties}, {@code log4j2.properties} and the data directory, all under one work dir.
 */
record BrokerConfig(Path workDir, int brokerPort, int controllerPort) {

    static final String HOST = "127.0.0.1";

    /** Picks two free loopback ports. */
    static BrokerConfig withFreePorts(Path workDir) throws IOException {
        try (ServerSocket a = new ServerSocket(0, 50, InetAddress.getByName(HOST));
             ServerSocket b = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
            return new BrokerConfig(workDir.toAbsolutePath(), a.getLocalPort(), b.getLocalPort());
        }
    }

    Path serverProperties() {
        return workDir.resolve("server.properties");
    }

    Path log4jConfig() {
        return workDir.resolve("log4j2.properties");
    }

    Path dataDir() {
        return workDir.resolve("data");
    }

    /** True once StorageTool has formatted the data dir (it then holds meta.properties). */
    boolean isFormatted() {
        return Files.isRegularFile(dataDir().resolve("meta.properties"));
    }

    String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    void write() throws IOException {
        Files.createDirectories(dataDir());
        Files.writeString(serverProperties(), """
                # Single-node KRaft: this process is both broker and the only controller.
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@%1$s:%3$d
                listeners=PLAINTEXT://%1$s:%2$d,CONTROLLER://%1$s:%3$d
                advertised.listeners=PLAINTEXT://%1$s:%2$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
                log.dirs=%4$s
                num.partitions=1
                auto.create.topics.enable=true
                # One node: every internal topic has one replica.
                offsets.topic.replication.factor=1
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                """.formatted(HOST, brokerPort, controllerPort, dataDir()));
        Files.writeString(log4jConfig(), """
                status = warn
                # Keep logging until the JVM is gone, so the broker's shutdown shows in broker.log.
                shutdownHook = disable
                appender.out.type = Console
                appender.out.name = OUT
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = [%d] %p %m (%c)%n
                rootLogger.level = INFO
                rootLogger.appenderRef.out.ref = OUT
                """);
    }

    /**
     * A fresh cluster id in Kafka's format: 16 random bytes, URL-safe base64 without padding; never
     * starting with '-', which the command line would read as an option.
     */
    static String newClusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer bytes = ByteBuffer.allocate(16)
                    .putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }
}
