package io.tern.gateway;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.tern.proto.worker.v1.DescribeRequest;
import io.tern.proto.worker.v1.DescribeResponse;
import io.tern.proto.worker.v1.ForwardRequest;
import io.tern.proto.worker.v1.ForwardResponse;
import io.tern.proto.worker.v1.ReleaseRequest;
import io.tern.proto.worker.v1.TernWorkerGrpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** One worker as the gateway sees it: a channel, its last Describe, and the sequences the gateway runs on it. */
public final class WorkerClient implements AutoCloseable {

    private static final int MAX_MESSAGE_BYTES = 256 << 20;

    private final String address;
    private final ManagedChannel channel;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile DescribeResponse described = DescribeResponse.getDefaultInstance();

    public WorkerClient(String address) {
        this.address = address;
        this.channel = NettyChannelBuilder.forTarget(address).usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES).build();
    }

    public String address() {
        return address;
    }

    public DescribeResponse described() {
        return described;
    }

    /** Sequences of this gateway running on the worker now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Load used to balance new sequences: ours, or what the worker reported if that is more. */
    public int load() {
        return Math.max(inFlight.get(), described.getRunningSequences());
    }

    void enter() {
        inFlight.incrementAndGet();
    }

    void leave() {
        inFlight.decrementAndGet();
    }

    /**
     * Health check (gRPC health protocol, whole server) then Describe. A worker without the health
     * service counts as healthy when Describe answers. Returns the Describe answer, or throws.
     */
    public DescribeResponse check(Duration timeout) {
        try {
            var health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
            if (health.getStatus() != ServingStatus.SERVING) {
                throw Status.UNAVAILABLE.withDescription("health status " + health.getStatus()).asRuntimeException();
            }
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                throw e;
            }
        }
        update(TernWorkerGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .describe(DescribeRequest.getDefaultInstance()));
        return described;
    }

    /** Records what the worker last said about itself. */
    void update(DescribeResponse d) {
        described = d;
    }

    public ForwardResponse forward(ForwardRequest request, Duration timeout) {
        return TernWorkerGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .forward(request);
    }

    /** Frees the sequence's KV cache; best effort (the worker also frees idle sequences itself). */
    public void release(String sequenceId) {
        TernWorkerGrpc.newFutureStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .release(ReleaseRequest.newBuilder().addAllSequenceIds(List.of(sequenceId)).build());
    }

    @Override
    public void close() {
        channel.shutdown();
    }

    @Override
    public String toString() {
        return address;
    }
}
