package io.tern.worker;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.tern.proto.worker.v1.DescribeRequest;
import io.tern.proto.worker.v1.DescribeResponse;
import io.tern.proto.worker.v1.ForwardRequest;
import io.tern.proto.worker.v1.ForwardResponse;
import io.tern.proto.worker.v1.MutinyTernWorkerGrpc;
import io.tern.proto.worker.v1.ReleaseRequest;
import io.tern.proto.worker.v1.ReleaseResponse;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The worker's gRPC face. Describe reports the slot's state; Forward and Release refuse with
 * FAILED_PRECONDITION while no shard is loaded. Running a loaded shard is not wired in yet, so those
 * answer UNIMPLEMENTED once a shard is present. ForwardStream is not served yet (UNIMPLEMENTED).
 */
@GrpcService
public class WorkerGrpcService extends MutinyTernWorkerGrpc.TernWorkerImplBase {

    @Inject
    ShardSlot slot;

    @ConfigProperty(name = "tern.worker.id")
    String workerId;

    @Override
    public Uni<DescribeResponse> describe(DescribeRequest request) {
        DescribeResponse.Builder response = DescribeResponse.newBuilder().setWorkerId(workerId);
        slot.loaded().ifPresentOrElse(
                shard -> response.setModel(shard.model())
                        .setVersion(shard.version())
                        .setLayerStart(shard.layerStart())
                        .setLayerEnd(shard.layerEnd())
                        .setNLayers(shard.nLayers())
                        .setNEmbd(shard.nEmbd())
                        .setNVocab(shard.nVocab())
                        .setIsFirst(shard.isFirst())
                        .setIsLast(shard.isLast())
                        .setContextLength(shard.contextLength())
                        .setReady(true)
                        .setStatus("ready"),
                () -> response.setReady(false).setStatus(ShardSlot.EMPTY_STATUS));
        return Uni.createFrom().item(response.build());
    }

    @Override
    public Uni<ForwardResponse> forward(ForwardRequest request) {
        return Uni.createFrom().failure(notServing("Forward"));
    }

    @Override
    public Uni<ReleaseResponse> release(ReleaseRequest request) {
        return Uni.createFrom().failure(notServing("Release"));
    }

    private RuntimeException notServing(String rpc) {
        if (slot.loaded().isEmpty()) {
            return Status.FAILED_PRECONDITION
                    .withDescription(rpc + " refused: worker " + workerId + " has " + ShardSlot.EMPTY_STATUS)
                    .asRuntimeException();
        }
        return Status.UNIMPLEMENTED.withDescription(rpc + " is not implemented yet").asRuntimeException();
    }
}
