package io.tern.worker;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tern.proto.worker.v1.DescribeRequest;
import io.tern.proto.worker.v1.DescribeResponse;
import io.tern.proto.worker.v1.ForwardRequest;
import io.tern.proto.worker.v1.ForwardResponse;
import io.tern.proto.worker.v1.MutinyTernWorkerGrpc;
import io.tern.proto.worker.v1.ReleaseRequest;
import io.tern.proto.worker.v1.ReleaseResponse;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The worker's gRPC face. Forward decodes and checks the request, hands its steps to the {@link BatchScheduler} and
 * answers when they have run; a cancelled call (client gone, deadline) drops its queued steps. Everything but
 * Describe is UNAVAILABLE until the worker is READY.
 */
@GrpcService
public class WorkerGrpcService extends MutinyTernWorkerGrpc.TernWorkerImplBase {

    @Inject
    WorkerLifecycle lifecycle;

    @Inject
    WorkerConfig config;

    @Override
    public Uni<ForwardResponse> forward(ForwardRequest request) {
        Deadline deadline = Context.current().getDeadline();
        return Uni.createFrom().deferred(() -> {
            BatchScheduler scheduler = lifecycle.requireReady("Forward");
            ShardInfo shard = lifecycle.shard().orElseThrow();
            List<StepInput> steps = new StepDecoder(shard).decode(request);
            long deadlineNanos = deadline == null ? Long.MAX_VALUE
                    : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
            ForwardCall call = scheduler.submit(request.getBatchId(), steps, deadlineNanos);
            return Uni.createFrom().completionStage(call.result())
                    .onCancellation().invoke(() -> scheduler.cancel(call,
                            Status.CANCELLED.withDescription("call cancelled by the client").asRuntimeException()))
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .map(new ResponseEncoder(shard)::encode);
        });
    }

    @Override
    public Multi<ForwardResponse> forwardStream(Multi<ForwardRequest> requests) {
        return requests.onItem().transformToUniAndConcatenate(this::forward);
    }

    @Override
    public Uni<ReleaseResponse> release(ReleaseRequest request) {
        return Uni.createFrom().item(() -> {
            BatchScheduler scheduler = lifecycle.requireReady("Release");
            int released = scheduler.release(request.getSequenceIdsList());
            return ReleaseResponse.newBuilder()
                    .setReleased(released)
                    .setKvUsedBytes(scheduler.snapshot().kvReservedBytes())
                    .build();
        });
    }

    @Override
    public Uni<DescribeResponse> describe(DescribeRequest request) {
        return Uni.createFrom().item(() -> {
            DescribeResponse.Builder r = DescribeResponse.newBuilder()
                    .setWorkerId(config.id())
                    .setState(lifecycle.state().name())
                    .setReady(lifecycle.ready())
                    .setStatus(lifecycle.status())
                    .setMaxBatchTokens(config.maxBatchTokens())
                    .setMaxSequences(config.maxSequences())
                    .setKvBudgetBytes(config.kvBudgetMb() << 20);
            lifecycle.shard().ifPresent(shard -> r.setModel(shard.model())
                    .setVersion(shard.version())
                    .setLayerStart(shard.layerStart())
                    .setLayerEnd(shard.layerEnd())
                    .setNLayers(shard.nLayers())
                    .setNEmbd(shard.nEmbd())
                    .setNVocab(shard.nVocab())
                    .setIsFirst(shard.isFirst())
                    .setIsLast(shard.isLast())
                    .setContextLength(shard.contextLength()));
            lifecycle.scheduler().ifPresent(s -> {
                BatchScheduler.Snapshot snap = s.snapshot();
                r.setKvUsedBytes(snap.kvReservedBytes())
                        .setRunningSequences(snap.sequences())
                        .setQueuedSteps(snap.queuedSteps());
            });
            return r.build();
        });
    }
}
