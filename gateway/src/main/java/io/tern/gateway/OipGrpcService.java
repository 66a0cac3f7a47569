package io.tern.gateway;

import com.google.protobuf.ByteString;
import io.grpc.ServerServiceDefinition;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.tern.proto.inference.InferParameter;
import io.tern.proto.inference.ModelInferRequest;
import io.tern.proto.inference.ModelInferResponse;
import io.tern.proto.inference.ModelMetadataRequest;
import io.tern.proto.inference.ModelMetadataResponse;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * KServe v2 Open Inference Protocol (inference.GRPCInferenceService). A model takes one BYTES
 * tensor {@code text_input} (shape [1], UTF-8 prompt) and produces one BYTES tensor
 * {@code text_output}; sampling settings travel as request parameters {@code max_tokens},
 * {@code temperature}, {@code top_k}, {@code top_p}, {@code seed}, {@code stop}; the response
 * parameters carry {@code finish_reason}, {@code prompt_tokens} and {@code completion_tokens}.
 */
@GrpcService
public class OipGrpcService extends MutinyGRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    static final String SERVER_NAME = "tern-gateway";
    static final String PLATFORM = "tern_bitnet";
    static final String INPUT = "text_input";
    static final String OUTPUT = "text_output";

    @Inject
    PipelineRegistry registry;

    @Inject
    GenerationService generation;

    @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev")
    String version;

    /** Requests protobuf cannot parse (e.g. a prompt that is not UTF-8) get INVALID_ARGUMENT naming the field. */
    @Override
    public ServerServiceDefinition bindService() {
        return RequestParseGuard.guard(super.bindService());
    }

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

    @Override
    public Uni<ModelMetadataResponse> modelMetadata(ModelMetadataRequest request) {
        if (!registry.serves(request.getName(), request.getVersion())) {
            return Uni.createFrom().failure(new GatewayException(GatewayException.Kind.NOT_FOUND,
                    "model '" + request.getName() + "'" + (request.getVersion().isEmpty() ? "" : " version '"
                    + request.getVersion() + "'") + " is not served here").toStatus());
        }
        var bytes1 = List.of(-1L);
        return Uni.createFrom().item(ModelMetadataResponse.newBuilder()
                .setName(request.getName())
                .addAllVersions(request.getVersion().isEmpty() ? registry.versions(request.getName()) : List.of(request.getVersion()))
                .setPlatform(PLATFORM)
                .addInputs(ModelMetadataResponse.TensorMetadata.newBuilder().setName(INPUT).setDatatype("BYTES").addAllShape(bytes1))
                .addOutputs(ModelMetadataResponse.TensorMetadata.newBuilder().setName(OUTPUT).setDatatype("BYTES").addAllShape(bytes1))
                .build());
    }

    @Override
    @Blocking
    public Uni<ModelInferResponse> modelInfer(ModelInferRequest request) {
        return Uni.createFrom().emitter(emitter -> {
            GenerationService.Handle handle;
            try {
                handle = generation.start(toCall(request), new GenerationListener() {
                    @Override
                    public void tokens(int[] ids, String text) {
                    }

                    @Override
                    public void finished(Outcome o) {
                        if (o.error() != null) {
                            emitter.fail(o.error().toStatus());
                            return;
                        }
                        emitter.complete(response(request, o));
                    }
                });
            } catch (GatewayException e) {
                emitter.fail(e.toStatus());
                return;
            }
            emitter.onTermination(handle::cancel);
        });
    }

    private static ModelInferResponse response(ModelInferRequest request, GenerationListener.Outcome o) {
        byte[] text = o.text().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer raw = ByteBuffer.allocate(4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.putInt(text.length).put(text).flip();
        return ModelInferResponse.newBuilder()
                .setModelName(request.getModelName())
                .setModelVersion(o.version())
                .setId(request.getId())
                .putParameters("finish_reason", InferParameter.newBuilder().setStringParam(o.finish().label()).build())
                .putParameters("prompt_tokens", InferParameter.newBuilder().setInt64Param(o.promptTokens()).build())
                .putParameters("completion_tokens", InferParameter.newBuilder().setInt64Param(o.completionTokens()).build())
                .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName(OUTPUT).setDatatype("BYTES").addShape(1))
                .addRawOutputContents(ByteString.copyFrom(raw))
                .build();
    }

    static GenerateCall toCall(ModelInferRequest r) {
        String prompt = prompt(r);
        Map<String, InferParameter> p = r.getParametersMap();
        String stop = p.containsKey("stop") ? p.get("stop").getStringParam() : null;
        GenerateCall.Sampling sampling = new GenerateCall.Sampling(
                integer(p, "max_tokens"), number(p, "temperature"), integer(p, "top_k"), number(p, "top_p"),
                integer(p, "seed"), stop == null || stop.isEmpty() ? List.of() : List.of(stop),
                bool(p, "skip_special_tokens"));
        String alias = p.containsKey("alias") ? p.get("alias").getStringParam() : "";
        String clientId = p.containsKey("client_id") ? p.get("client_id").getStringParam() : "";
        return new GenerateCall(GenerateCall.Api.OIP, "model_infer", r.getId(), clientId, r.getModelName(),
                r.getModelVersion(), alias, prompt, null, sampling, 0f);
    }

    /** The UTF-8 prompt: element 0 of text_input, from contents or raw_input_contents (4-byte LE length + bytes). */
    private static String prompt(ModelInferRequest r) {
        for (int i = 0; i < r.getInputsCount(); i++) {
            var input = r.getInputs(i);
            if (!INPUT.equals(input.getName())) {
                continue;
            }
            if (!"BYTES".equals(input.getDatatype())) {
                throw GatewayException.invalid(INPUT, INPUT + " must be BYTES, got " + input.getDatatype());
            }
            byte[] bytes;
            if (input.hasContents() && input.getContents().getBytesContentsCount() > 0) {
                bytes = input.getContents().getBytesContents(0).toByteArray();
            } else if (i < r.getRawInputContentsCount()) {
                ByteBuffer raw = r.getRawInputContents(i).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                if (raw.remaining() < 4 || raw.getInt(0) < 0 || raw.getInt(0) > raw.remaining() - 4) {
                    throw GatewayException.invalid(INPUT, "raw " + INPUT + " is not a 4-byte length followed by that many bytes");
                }
                bytes = new byte[raw.getInt()];
                raw.get(bytes);
            } else {
                throw GatewayException.invalid(INPUT, INPUT + " has no element");
            }
            return StrictUtf8.decode(bytes, INPUT);
        }
        throw GatewayException.invalid(INPUT, "the request has no " + INPUT + " input tensor");
    }

    private static Long integer(Map<String, InferParameter> p, String name) {
        InferParameter v = p.get(name);
        if (v == null) {
            return null;
        }
        return switch (v.getParameterChoiceCase()) {
            case INT64_PARAM -> v.getInt64Param();
            case UINT64_PARAM -> v.getUint64Param();
            case DOUBLE_PARAM -> (long) v.getDoubleParam();
            default -> throw GatewayException.invalid(name, "parameter " + name + " must be a number");
        };
    }

    private static Boolean bool(Map<String, InferParameter> p, String name) {
        InferParameter v = p.get(name);
        if (v == null) {
            return null;
        }
        if (v.getParameterChoiceCase() != InferParameter.ParameterChoiceCase.BOOL_PARAM) {
            throw GatewayException.invalid(name, "parameter " + name + " must be a bool");
        }
        return v.getBoolParam();
    }

    private static Double number(Map<String, InferParameter> p, String name) {
        InferParameter v = p.get(name);
        if (v == null) {
            return null;
        }
        return switch (v.getParameterChoiceCase()) {
            case DOUBLE_PARAM -> v.getDoubleParam();
            case INT64_PARAM -> (double) v.getInt64Param();
            case UINT64_PARAM -> (double) v.getUint64Param();
            default -> throw GatewayException.invalid(name, "parameter " + name + " must be a number");
        };
    }
}
