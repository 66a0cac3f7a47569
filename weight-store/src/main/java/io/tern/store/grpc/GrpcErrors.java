package io.tern.store.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.store.core.StoreException;
import java.io.UncheckedIOException;
import org.jboss.logging.Logger;

/** Store errors → gRPC status codes, keeping the message. */
final class GrpcErrors {
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    static Throwable map(Throwable t) {
        if (t instanceof StatusRuntimeException) {
            return t;
        }
        if (t instanceof StoreException e) {
            Status status = switch (e.kind()) {
                case INVALID -> Status.INVALID_ARGUMENT;
                case NOT_FOUND -> Status.NOT_FOUND;
                case CONFLICT -> Status.FAILED_PRECONDITION;
                case CORRUPT -> Status.DATA_LOSS;
                case TOO_LARGE, NO_SPACE -> Status.RESOURCE_EXHAUSTED;
                case UNAVAILABLE -> Status.UNAVAILABLE;
                case INTERNAL -> Status.INTERNAL;
            };
            if (e.kind() == StoreException.Kind.CORRUPT || e.kind() == StoreException.Kind.INTERNAL) {
                LOG.errorf(e, "%s", e.getMessage());
            }
            return status.withDescription(e.getMessage()).asRuntimeException();
        }
        if (t instanceof UncheckedIOException e) {
            return Status.INTERNAL.withDescription("I/O error: " + e.getCause()).asRuntimeException();
        }
        LOG.errorf(t, "unexpected error in a weight-store RPC");
        return Status.INTERNAL.withDescription(String.valueOf(t)).asRuntimeException();
    }
}
