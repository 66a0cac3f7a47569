package io.tern.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.function.BiPredicate;

/**
 * OpenAI-compatible HTTP API: {@code GET /v1/models}, {@code POST /v1/completions},
 * {@code POST /v1/chat/completions}, with {@code stream: true} as server-sent events ending in
 * {@code data: [DONE]}. Errors have OpenAI's shape {@code {"error": {message, type, param, code}}}.
 * A client that closes the connection cancels its request.
 */
@ApplicationScoped
public class OpenAiRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BODY_BYTES = 16L << 20;

    @Inject
    GenerationService generation;

    @Inject
    PipelineRegistry registry;

    void routes(@Observes Router router) {
        router.get("/v1/models").handler(this::models);
        router.post("/v1/completions").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        router.post("/v1/completions").blockingHandler(ctx -> generate(ctx, false), false);
        router.post("/v1/chat/completions").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        router.post("/v1/chat/completions").blockingHandler(ctx -> generate(ctx, true), false);
    }

    private void models(RoutingContext ctx) {
        ObjectNode out = JSON.createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        registry.all().stream().map(Pipeline::model).distinct().sorted().forEach(model -> {
            data.add(model(model));
            registry.versions(model).forEach(v -> data.add(model(model + "@" + v)));
        });
        send(ctx.response(), 200, out);
    }

    private static ObjectNode model(String id) {
        return JSON.createObjectNode().put("id", id).put("object", "model").put("created", 0).put("owned_by", "tern");
    }

    private void generate(RoutingContext ctx, boolean chat) {
        HttpServerResponse response = ctx.response();
        String requestId = header(ctx, "X-Request-Id");
        JsonNode body;
        GenerateCall call;
        try {
            Buffer raw = ctx.body().buffer();
            String text = StrictUtf8.decode(raw == null ? new byte[0] : raw.getBytes(), "body");
            try {
                body = JSON.readTree(text);
            } catch (IOException e) {
                throw GatewayException.invalid(null, "the body is not valid JSON: " + e.getMessage());
            }
            if (body == null || !body.isObject()) {
                throw GatewayException.invalid(null, "the body must be a JSON object");
            }
            BiPredicate<String, String> isVersion = registry::serves;
            String id = requestId == null || requestId.isEmpty() ? RequestValidator.newRequestId() : requestId;
            call = chat ? OpenAiRequest.chat(body, id, header(ctx, "X-Client-Id"), isVersion)
                    : OpenAiRequest.completion(body, id, header(ctx, "X-Client-Id"), isVersion);
        } catch (GatewayException e) {
            error(response, e);
            return;
        }
        boolean stream = body.path("stream").asBoolean(false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        OpenAiResponses shape = new OpenAiResponses(chat, call.requestId(), body.path("model").asText(),
                System.currentTimeMillis() / 1000);
        GenerationListener listener = stream ? new SseListener(response, shape, includeUsage) : new WholeListener(response, shape);
        GenerationService.Handle handle;
        try {
            handle = generation.start(call, listener);
        } catch (GatewayException e) {
            error(response, e);
            return;
        }
        response.closeHandler(v -> handle.cancel());
        if (response.closed()) {
            handle.cancel();
        }
    }

    private static String header(RoutingContext ctx, String name) {
        return ctx.request().getHeader(name);
    }

    static void error(HttpServerResponse response, GatewayException e) {
        if (e.kind() == GatewayException.Kind.RESOURCE_EXHAUSTED) {
            response.putHeader("Retry-After", "1");
        }
        send(response, e.kind().http, OpenAiResponses.error(e));
    }

    static void send(HttpServerResponse response, int status, JsonNode body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    /** Answers once, at the end. */
    private static final class WholeListener implements GenerationListener {
        private final HttpServerResponse response;
        private final OpenAiResponses shape;

        WholeListener(HttpServerResponse response, OpenAiResponses shape) {
            this.response = response;
            this.shape = shape;
        }

        @Override
        public void tokens(int[] ids, String text) {
        }

        @Override
        public void finished(Outcome o) {
            if (o.error() != null) {
                error(response, o.error());
                return;
            }
            send(response, 200, shape.whole(o));
        }
    }

    /** Server-sent events: one event per text delta, a final event with finish_reason, then [DONE]. */
    private static final class SseListener implements GenerationListener {
        private final HttpServerResponse response;
        private final OpenAiResponses shape;
        private final boolean includeUsage;
        private boolean headersSent;

        SseListener(HttpServerResponse response, OpenAiResponses shape, boolean includeUsage) {
            this.response = response;
            this.shape = shape;
            this.includeUsage = includeUsage;
        }

        @Override
        public void started(PreparedRequest request) {
            begin();
            if (shape.chat()) {
                event(shape.roleChunk());
            }
        }

        @Override
        public void tokens(int[] ids, String text) {
            if (!text.isEmpty()) {
                event(shape.textChunk(text));
            }
        }

        @Override
        public void finished(Outcome o) {
            if (response.closed() || response.ended()) {
                return;
            }
            if (!headersSent && o.error() != null) {
                error(response, o.error());
                return;
            }
            begin();
            if (o.error() != null) {
                event(OpenAiResponses.error(o.error()));
            } else {
                event(shape.finishChunk(o));
                if (includeUsage) {
                    event(shape.usageChunk(o));
                }
            }
            response.end("data: [DONE]\n\n");
        }

        private void begin() {
            if (!headersSent) {
                headersSent = true;
                response.setStatusCode(200).setChunked(true)
                        .putHeader("Content-Type", "text/event-stream")
                        .putHeader("Cache-Control", "no-cache");
            }
        }

        private void event(JsonNode data) {
            if (!response.closed() && !response.ended()) {
                response.write("data: " + data + "\n\n");
            }
        }
    }
}
