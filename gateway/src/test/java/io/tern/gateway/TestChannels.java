package io.tern.gateway;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;

import java.net.URL;
import java.util.concurrent.TimeUnit;

/** The plaintext gRPC channel the gateway tests open to the gateway under test, and its shutdown. */
final class TestChannels {
    private TestChannels() {}

    static ManagedChannel open(URL base) {
        return NettyChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
