package io.tern.store.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.tern.proto.store.v1.TernWeightStoreGrpc;
import io.tern.store.rest.BearerToken;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * With {@code tern.store.read-auth=true} the store's RPCs (all reads) need the admin token as
 * {@code authorization: Bearer <token>} metadata. Health and reflection stay open.
 */
@GlobalInterceptor
@ApplicationScoped
public class ReadAuthInterceptor implements ServerInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @ConfigProperty(name = "tern.store.admin-token")
    Optional<String> adminToken;

    @ConfigProperty(name = "tern.store.read-auth", defaultValue = "false")
    boolean readAuth;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        if (readAuth && TernWeightStoreGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
            Optional<BearerToken.Problem> problem = BearerToken.problem(headers.get(AUTHORIZATION), adminToken, "reads");
            if (problem.isPresent()) {
                Status status = problem.get().status() == 403 ? Status.PERMISSION_DENIED : Status.UNAUTHENTICATED;
                call.close(status.withDescription(problem.get().message()), new Metadata());
                return new ServerCall.Listener<>() { };
            }
        }
        return next.startCall(call, headers);
    }
}
