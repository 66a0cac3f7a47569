package io.tern.worker;

import io.grpc.Channel;
import io.grpc.reflection.v1.MutinyServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServiceResponse;
import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.List;

/** Asks a server's gRPC reflection service which services it serves. */
final class GrpcReflection {

    private GrpcReflection() {
    }

    static List<String> services(Channel channel) {
        ServerReflectionRequest listServices = ServerReflectionRequest.newBuilder().setListServices("").build();
        return MutinyServerReflectionGrpc.newMutinyStub(channel)
                .serverReflectionInfo(Multi.createFrom().item(listServices))
                .toUni()
                .await().atMost(Duration.ofSeconds(30))
                .getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName)
                .toList();
    }
}
