package io.tern.gateway;

import io.grpc.Status;

/** A request failure with the kind that decides its gRPC status and HTTP code. */
public class GatewayException extends RuntimeException {

    public enum Kind {
        INVALID_ARGUMENT(Status.Code.INVALID_ARGUMENT, 400, "invalid_request_error", "invalid_argument"),
        NOT_FOUND(Status.Code.NOT_FOUND, 404, "invalid_request_error", "model_not_found"),
        RESOURCE_EXHAUSTED(Status.Code.RESOURCE_EXHAUSTED, 429, "rate_limit_error", "queue_full"),
        UNAVAILABLE(Status.Code.UNAVAILABLE, 503, "server_error", "unavailable"),
        CANCELLED(Status.Code.CANCELLED, 499, "cancelled", "cancelled"),
        INTERNAL(Status.Code.INTERNAL, 500, "server_error", "internal_error");

        final Status.Code grpc;
        final int http;
        final String openAiType;
        final String code;

        Kind(Status.Code grpc, int http, String openAiType, String code) {
            this.grpc = grpc;
            this.http = http;
            this.openAiType = openAiType;
            this.code = code;
        }

        /** Lower-case name used as "status" in request-log records. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final String param;

    public GatewayException(Kind kind, String message) {
        this(kind, message, null);
    }

    public GatewayException(Kind kind, String message, String param) {
        super(message);
        this.kind = kind;
        this.param = param;
    }

    public static GatewayException invalid(String param, String message) {
        return new GatewayException(Kind.INVALID_ARGUMENT, message, param);
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }

    public io.grpc.StatusRuntimeException toStatus() {
        return Status.fromCode(kind.grpc).withDescription(getMessage()).asRuntimeException();
    }

    /** Maps any failure to a gateway error; gRPC failures of workers keep their meaning. */
    public static GatewayException of(Throwable t) {
        if (t instanceof GatewayException g) {
            return g;
        }
        if (t instanceof io.grpc.StatusRuntimeException s) {
            Kind kind = switch (s.getStatus().getCode()) {
                case CANCELLED -> Kind.CANCELLED;
                case UNAVAILABLE, DEADLINE_EXCEEDED -> Kind.UNAVAILABLE;
                case RESOURCE_EXHAUSTED -> Kind.RESOURCE_EXHAUSTED;
                default -> Kind.INTERNAL;
            };
            return new GatewayException(kind, "worker call failed: " + s.getStatus());
        }
        return new GatewayException(Kind.INTERNAL, t.toString());
    }
}
