package io.tern.store;

import io.quarkus.grpc.GrpcService;
import io.tern.proto.store.v1.MutinyTernWeightStoreGrpc;

/**
 * The weight store's gRPC contract, registered so that the gRPC server starts and clients and reflection
 * see {@code tern.store.v1.TernWeightStore}. No RPC is implemented yet: every call answers UNIMPLEMENTED.
 */
@GrpcService
public class WeightStoreGrpcService extends MutinyTernWeightStoreGrpc.TernWeightStoreImplBase {
}
