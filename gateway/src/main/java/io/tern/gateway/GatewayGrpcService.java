package io.tern.gateway;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.tern.proto.gateway.v1.ListModelsRequest;
import io.tern.proto.gateway.v1.ListModelsResponse;
import io.tern.proto.gateway.v1.ModelInfo;
import io.tern.proto.gateway.v1.MutinyTernGatewayGrpc;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Tern's own gateway API. ListModels reports the models that have pipelines; Generate, GenerateUnary
 * and Tokenize are not served yet and answer UNIMPLEMENTED.
 */
@GrpcService
public class GatewayGrpcService extends MutinyTernGatewayGrpc.TernGatewayImplBase {

    @Inject
    PipelineRegistry registry;

    @Override
    public Uni<ListModelsResponse> listModels(ListModelsRequest request) {
        Map<String, List<String>> versionsByModel = registry.all().stream()
                .collect(Collectors.groupingBy(Pipeline::model, TreeMap::new,
                        Collectors.mapping(Pipeline::version, Collectors.toList())));
        ListModelsResponse.Builder response = ListModelsResponse.newBuilder();
        versionsByModel.forEach((model, versions) -> {
            List<String> distinct = versions.stream().distinct().toList();
            response.addModels(ModelInfo.newBuilder()
                    .setName(model)
                    .addAllVersions(distinct)
                    .addAllReadyVersions(distinct));
        });
        return Uni.createFrom().item(response.build());
    }
}
