package io.tern.gateway;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.tern.proto.inference.ModelReadyRequest;
import io.tern.proto.inference.ModelReadyResponse;
import io.tern.proto.inference.MutinyGRPCInferenceServiceGrpc;
import io.tern.proto.inference.ServerLiveRequest;
import io.tern.proto.inference.ServerLiveResponse;
import io.tern.proto.inference.ServerMetadataRequest;
import io.tern.proto.inference.ServerMetadataResponse;
import io.tern.proto.inference.ServerReadyRequest;
import io.tern.proto.inference.ServerReadyResponse;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * KServe v2 Open Inference Protocol endpoints of the gateway: health and metadata. ModelMetadata and
 * ModelInfer are not served yet and answer UNIMPLEMENTED.
 */
@GrpcService
public class OipGrpcService extends MutinyGRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    static final String SERVER_NAME = "tern-gateway";

    @Inject
    PipelineRegistry registry;

    @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev")
    String version;

    @Override
    public Uni<ServerLiveResponse> serverLive(ServerLiveRequest request) {
        // Answering at all is the proof of liveness.
        return Uni.createFrom().item(ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public Uni<ServerReadyResponse> serverReady(ServerReadyRequest request) {
        return Uni.createFrom().item(ServerReadyResponse.newBuilder().setReady(!registry.isEmpty()).build());
    }

    @Override
    public Uni<ModelReadyResponse> modelReady(ModelReadyRequest request) {
        boolean ready = registry.serves(request.getName(), request.getVersion());
        return Uni.createFrom().item(ModelReadyResponse.newBuilder().setReady(ready).build());
    }

    @Override
    public Uni<ServerMetadataResponse> serverMetadata(ServerMetadataRequest request) {
        return Uni.createFrom().item(ServerMetadataResponse.newBuilder()
                .setName(SERVER_NAME)
                .setVersion(version)
                .build());
    }
}
