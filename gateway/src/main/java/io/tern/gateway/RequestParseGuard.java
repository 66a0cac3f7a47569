package io.tern.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Refuses requests that protobuf cannot parse with INVALID_ARGUMENT and a description naming the
 * fault, e.g. "prompt is not valid UTF-8" for a proto3 string field holding other bytes.
 *
 * <p>Why not just throw from the marshaller: protobuf-java refuses such bytes while parsing, and the
 * Vert.x gRPC server that Quarkus runs on the shared HTTP port drops a message its marshaller fails
 * on, so the client got INTERNAL "Half-closed without a request". Instead each method's request
 * marshaller is wrapped: on a parse failure it passes on an empty request marked with the reason
 * (an unknown field), and an interceptor closes the call with that reason before the service sees
 * it. A client that sends the marker field itself only gets its own request refused.
 */
final class RequestParseGuard {

    /** Highest legal field number; no Tern message uses it. */
    private static final int MARK = (1 << 29) - 1;

    private RequestParseGuard() {
    }

    /** The service with every method's requests guarded. */
    static ServerServiceDefinition guard(ServerServiceDefinition service) {
        List<ServerMethodDefinition<?, ?>> methods = service.getMethods().stream()
                .<ServerMethodDefinition<?, ?>>map(RequestParseGuard::guard).toList();
        // The service descriptor must hold the very method descriptors bound; keep its schema for reflection.
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(service.getServiceDescriptor().getName())
                .setSchemaDescriptor(service.getServiceDescriptor().getSchemaDescriptor());
        methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
        ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(out::addMethod);
        return ServerInterceptors.intercept(out.build(), new Refuser());
    }

    private static <Q, R> ServerMethodDefinition<Q, R> guard(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        if (!(descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> proto)
                || !(proto.getMessagePrototype() instanceof Message)) {
            return method;
        }
        return ServerMethodDefinition.create(
                descriptor.toBuilder(new MarkingMarshaller<>(proto), descriptor.getResponseMarshaller()).build(),
                method.getServerCallHandler());
    }

    /** Why the request was refused, or null when it parsed. */
    static String refusal(Object request) {
        if (request instanceof Message m && m.getUnknownFields().hasField(MARK)) {
            return m.getUnknownFields().getField(MARK).getLengthDelimitedList().getFirst().toStringUtf8();
        }
        return null;
    }

    /** Parses like the generated marshaller, but turns a failure into a marked empty request. */
    private record MarkingMarshaller<Q>(MethodDescriptor.PrototypeMarshaller<Q> inner) implements MethodDescriptor.PrototypeMarshaller<Q> {

        @Override
        public InputStream stream(Q value) {
            return inner.stream(value);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Q parse(InputStream stream) {
            Message prototype = (Message) inner.getMessagePrototype();
            byte[] bytes;
            try {
                bytes = stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the request", e);
            }
            try {
                return (Q) prototype.getParserForType().parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                String type = prototype.getDescriptorForType().getFullName();
                String reason = InvalidUtf8Field.find(prototype.getDescriptorForType(), bytes)
                        .map(field -> field + " is not valid UTF-8 (string field " + type + "." + field + ")")
                        .orElse("the request is not a valid " + type + ": " + e.getMessage());
                UnknownFieldSet mark = UnknownFieldSet.newBuilder().addField(MARK, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFromUtf8(reason)).build()).build();
                return (Q) prototype.newBuilderForType().setUnknownFields(mark).build();
            }
        }

        @Override
        public Q getMessagePrototype() {
            return inner.getMessagePrototype();
        }

        @Override
        public Class<Q> getMessageClass() {
            return inner.getMessageClass();
        }
    }

    /** Closes a call whose request was marked, and keeps the rest of the call from the service. */
    private static final class Refuser implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                          ServerCallHandler<Q, R> next) {
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                private boolean refused;

                @Override
                public void onMessage(Q message) {
                    String reason = refused ? null : refusal(message);
                    if (reason != null) {
                        refused = true;
                        call.close(Status.INVALID_ARGUMENT.withDescription(reason), new Metadata());
                    } else if (!refused) {
                        super.onMessage(message);
                    }
                }

                @Override
                public void onHalfClose() {
                    if (!refused) {
                        super.onHalfClose();
                    }
                }
            };
        }
    }
}
