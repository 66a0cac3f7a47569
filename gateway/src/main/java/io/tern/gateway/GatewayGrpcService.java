package io.tern.gateway;

import io.grpc.ServerServiceDefinition;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.tern.engine.tokenizer.Tokenizer;
import io.tern.proto.gateway.v1.Chat;
import io.tern.proto.gateway.v1.GenerateChunk;
import io.tern.proto.gateway.v1.GenerateRequest;
import io.tern.proto.gateway.v1.GenerateResponse;
import io.tern.proto.gateway.v1.ListModelsRequest;
import io.tern.proto.gateway.v1.ListModelsResponse;
import io.tern.proto.gateway.v1.ModelInfo;
import io.tern.proto.gateway.v1.MutinyTernGatewayGrpc;
import io.tern.proto.gateway.v1.SamplingParams;
import io.tern.proto.gateway.v1.TokenizeRequest;
import io.tern.proto.gateway.v1.TokenizeResponse;
import io.tern.proto.gateway.v1.Usage;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Tern's own gateway API (tern.gateway.v1.TernGateway). */
@GrpcService
public class GatewayGrpcService extends MutinyTernGatewayGrpc.TernGatewayImplBase {

    @Inject
    PipelineRegistry registry;

    @Inject
    GenerationService generation;

    @Inject
    VersionResolver versions;

    @Inject
    TokenizerSource tokenizers;

    /** Requests protobuf cannot parse (e.g. a prompt that is not UTF-8) get INVALID_ARGUMENT naming the field. */
    @Override
    public ServerServiceDefinition bindService() {
        return RequestParseGuard.guard(super.bindService());
    }

    @Override
    @Blocking
    public Multi<GenerateChunk> generate(GenerateRequest request) {
        return Multi.createFrom().emitter(emitter -> {
            GenerationService.Handle handle;
            try {
                handle = generation.start(toCall(request, "generate"), new StreamListener(emitter));
            } catch (GatewayException e) {
                emitter.fail(e.toStatus());
                return;
            }
            emitter.onTermination(handle::cancel);
        });
    }

    @Override
    @Blocking
    public Uni<GenerateResponse> generateUnary(GenerateRequest request) {
        return Uni.createFrom().emitter(emitter -> {
            List<Integer> ids = new ArrayList<>();
            GenerationService.Handle handle;
            try {
                handle = generation.start(toCall(request, "generate_unary"), new GenerationListener() {
                    @Override
                    public void tokens(int[] newIds, String text) {
                        Arrays.stream(newIds).forEach(ids::add);
                    }

                    @Override
                    public void finished(Outcome o) {
                        if (o.error() != null) {
                            emitter.fail(o.error().toStatus());
                            return;
                        }
                        emitter.complete(GenerateResponse.newBuilder()
                                .addAllTokenIds(ids)
                                .setText(o.text())
                                .setFinishReason(finishReason(o.finish()))
                                .setUsage(usage(o))
                                .setRequestId(o.requestId())
                                .setModelVersion(o.version())
                                .build());
                    }
                });
            } catch (GatewayException e) {
                emitter.fail(e.toStatus());
                return;
            }
            emitter.onTermination(handle::cancel);
        });
    }

    @Override
    @Blocking
    public Uni<TokenizeResponse> tokenize(TokenizeRequest request) {
        try {
            var m = request.getModel();
            var r = versions.resolve(m.getName(), m.getVersion(), m.getAlias());
            var mt = tokenizers.get(r.model(), r.version());
            Tokenizer t = mt.tokenizer();
            int[] ids;
            if (request.hasChat()) {
                int[] body = t.encode(mt.chat().render(messages(request.getChat())), true);
                ids = request.getAddSpecialTokens() && t.bos() >= 0 ? prepend(t.bos(), body) : body;
            } else {
                ids = request.getAddSpecialTokens() ? t.encodeWithBos(request.getText(), false) : t.encode(request.getText(), false);
            }
            TokenizeResponse.Builder out = TokenizeResponse.newBuilder().setModelVersion(r.version());
            for (int id : ids) {
                out.addTokenIds(id).addPieces(t.decode(new int[] {id}));
            }
            return Uni.createFrom().item(out.build());
        } catch (GatewayException e) {
            return Uni.createFrom().failure(e.toStatus());
        }
    }

    @Override
    public Uni<ListModelsResponse> listModels(ListModelsRequest request) {
        ListModelsResponse.Builder response = ListModelsResponse.newBuilder();
        registry.all().stream().map(Pipeline::model).distinct().sorted().forEach(model -> {
            List<String> ready = registry.versions(model);
            int context = registry.all().stream().filter(p -> p.model().equals(model))
                    .mapToInt(Pipeline::contextLength).max().orElse(0);
            response.addModels(ModelInfo.newBuilder()
                    .setName(model)
                    .addAllVersions(ready)
                    .addAllReadyVersions(ready)
                    .setContextLength(context));
        });
        return Uni.createFrom().item(response.build());
    }

    static GenerateCall toCall(GenerateRequest r, String endpoint) {
        SamplingParams s = r.getSampling();
        GenerateCall.Sampling sampling = new GenerateCall.Sampling(
                s.hasMaxTokens() ? Integer.toUnsignedLong(s.getMaxTokens()) : null,
                s.hasTemperature() ? (double) s.getTemperature() : null,
                s.hasTopK() ? Integer.toUnsignedLong(s.getTopK()) : null,
                s.hasTopP() ? (double) s.getTopP() : null,
                s.hasSeed() ? s.getSeed() : null,
                s.getStopList(),
                s.hasSkipSpecialTokens() ? s.getSkipSpecialTokens() : null);
        return new GenerateCall(GenerateCall.Api.GRPC, endpoint, r.getRequestId(), r.getClientId(),
                r.getModel().getName(), r.getModel().getVersion(), r.getModel().getAlias(),
                r.hasChat() ? null : r.getPrompt(), r.hasChat() ? messages(r.getChat()) : null,
                sampling, 0f);
    }

    private static List<ChatTemplate.Message> messages(Chat chat) {
        return chat.getMessagesList().stream().map(m -> new ChatTemplate.Message(m.getRole(), m.getContent())).toList();
    }

    private static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    static io.tern.proto.gateway.v1.FinishReason finishReason(FinishReason f) {
        return switch (f) {
            case STOP -> io.tern.proto.gateway.v1.FinishReason.STOP;
            case LENGTH -> io.tern.proto.gateway.v1.FinishReason.LENGTH;
            case CANCELLED -> io.tern.proto.gateway.v1.FinishReason.CANCELLED;
            case ERROR -> io.tern.proto.gateway.v1.FinishReason.ERROR;
        };
    }

    private static Usage usage(GenerationListener.Outcome o) {
        return Usage.newBuilder().setPromptTokens(o.promptTokens()).setCompletionTokens(o.completionTokens()).build();
    }

    /** Sends each token as a chunk; the final chunk carries finish reason and usage. */
    private static final class StreamListener implements GenerationListener {
        private final MultiEmitter<? super GenerateChunk> emitter;
        private String requestId = "";
        private String version = "";
        private boolean first = true;

        StreamListener(MultiEmitter<? super GenerateChunk> emitter) {
            this.emitter = emitter;
        }

        @Override
        public void started(PreparedRequest request) {
            requestId = request.requestId();
            version = request.version();
        }

        @Override
        public void tokens(int[] ids, String text) {
            GenerateChunk.Builder chunk = GenerateChunk.newBuilder().setTextDelta(text).setRequestId(requestId);
            Arrays.stream(ids).forEach(chunk::addTokenIds);
            emit(chunk);
        }

        @Override
        public void finished(Outcome o) {
            if (o.finish() == FinishReason.CANCELLED) {
                emitter.complete();
                return;
            }
            GenerateChunk.Builder last = GenerateChunk.newBuilder()
                    .setRequestId(o.requestId())
                    .setFinishReason(finishReason(o.finish()))
                    .setUsage(usage(o));
            if (o.error() != null) {
                last.setErrorMessage(o.error().getMessage());
            }
            if (first) {
                last.setModelVersion(o.version());
            }
            emitter.emit(last.build());
            emitter.complete();
        }

        private void emit(GenerateChunk.Builder chunk) {
            if (first) {
                first = false;
                chunk.setModelVersion(version);
            }
            emitter.emit(chunk.build());
        }
    }
}
