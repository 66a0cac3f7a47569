package io.tern.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.gateway.testworker.TinyModels;
import io.tern.gateway.testworker.WorkerPipelineResource;
import io.tern.proto.gateway.v1.TernGatewayGrpc;
import io.tern.proto.gateway.v1.TokenizeResponse;
import io.tern.proto.inference.GRPCInferenceServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests whose string fields hold bytes that are not UTF-8, written by hand on the wire (a protobuf
 * client refuses to build them), must be refused with INVALID_ARGUMENT naming the field.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@WithTestResource(WorkerPipelineResource.class)
class InvalidUtf8GrpcTest {

    private static final byte[] INVALID = {'h', 'i', (byte) 0xC3, (byte) 0x28};

    @TestHTTPResource("/")
    URL baseUrl;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = TestChannels.open(baseUrl);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        TestChannels.close(channel);
    }

    @Test
    void generateStreamingRefusesAnInvalidPrompt() {
        byte[] request = request(2, INVALID);
        var e = assertThrows(StatusRuntimeException.class, () -> {
            Iterator<byte[]> replies = ClientCalls.blockingServerStreamingCall(channel,
                    raw(TernGatewayGrpc.getGenerateMethod()), options(), request);
            replies.forEachRemaining(r -> { });
        });
        assertInvalid(e, "prompt");
    }

    @Test
    void generateUnaryRefusesAnInvalidPrompt() {
        var e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(channel,
                raw(TernGatewayGrpc.getGenerateUnaryMethod()), options(), request(2, INVALID)));
        assertInvalid(e, "prompt");
    }

    @Test
    void generateRefusesAnInvalidChatMessage() {
        // GenerateRequest.chat (3) -> Chat.messages (1) -> ChatMessage.content (2)
        byte[] message = concat(field(1, "user".getBytes(StandardCharsets.UTF_8)), field(2, INVALID));
        byte[] request = concat(model(), field(3, field(1, message)));
        var e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(channel,
                raw(TernGatewayGrpc.getGenerateUnaryMethod()), options(), request));
        assertInvalid(e, "chat.messages.content");
    }

    @Test
    void tokenizeRefusesInvalidText() {
        var e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(channel,
                raw(TernGatewayGrpc.getTokenizeMethod()), options(), request(2, INVALID)));
        assertInvalid(e, "text");
    }

    @Test
    void oipModelInferRefusesAnInvalidModelName() {
        // ModelInferRequest.model_name (1)
        var e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(channel,
                raw(GRPCInferenceServiceGrpc.getModelInferMethod()), options(), field(1, INVALID)));
        assertInvalid(e, "model_name");
    }

    @Test
    void theSameHandWrittenRequestWithValidTextIsServed() throws IOException {
        byte[] reply = ClientCalls.blockingUnaryCall(channel, raw(TernGatewayGrpc.getTokenizeMethod()), options(),
                request(2, "hi there".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(EngineReference.tokenizer().encode("hi there", false),
                TokenizeResponse.parseFrom(reply).getTokenIdsList().stream().mapToInt(Integer::intValue).toArray());
    }

    private static void assertInvalid(StatusRuntimeException e, String field) {
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        String description = e.getStatus().getDescription();
        assertTrue(description != null && description.contains(field) && description.contains("not valid UTF-8"),
                "description names the field '" + field + "': " + description);
    }

    private CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** ModelSelector {name: tiny} as field 1, then the given field with raw bytes. */
    private static byte[] request(int field, byte[] value) {
        return concat(model(), field(field, value));
    }

    private static byte[] model() {
        return field(1, field(1, TinyModels.MODEL.getBytes(StandardCharsets.UTF_8)));
    }

    /** One length-delimited field (strings, bytes and messages share wire type 2). */
    private static byte[] field(int number, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        try {
            coded.writeByteArray(number, value);
            coded.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The same method name and type, but requests and replies as raw bytes. */
    private static MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<?, ?> method) {
        return method.toBuilder(RawBytes.INSTANCE, RawBytes.INSTANCE).build();
    }

    private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
