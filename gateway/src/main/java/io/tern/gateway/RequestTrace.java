package io.tern.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened to one request, from arrival to the end, and its request-log record (schema in
 * gateway/README.md, "Request log"). Written by the request's own thread only.
 */
final class RequestTrace {

    static final int SCHEMA_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String requestId;
    private final GenerateCall call;
    private final long receivedEpochMs = System.currentTimeMillis();
    private final long receivedNanos = System.nanoTime();
    private PreparedRequest request;
    private long admittedNanos;
    private long firstTokenNanos;
    private long finishedNanos;
    private List<String> workers = List.of();
    private int completionTokens;
    private final StringBuilder text = new StringBuilder();
    private FinishReason finish;
    private GatewayException error;

    RequestTrace(String requestId, GenerateCall call) {
        this.requestId = requestId;
        this.call = call;
    }

    String requestId() {
        return requestId;
    }

    void prepared(PreparedRequest r) {
        this.request = r;
    }

    void admitted() {
        admittedNanos = System.nanoTime();
    }

    long queueNanos() {
        return admittedNanos == 0 ? 0 : admittedNanos - receivedNanos;
    }

    void workers(List<String> addresses) {
        workers = addresses;
    }

    void firstToken(long nanos) {
        firstTokenNanos = nanos;
    }

    long timeToFirstTokenNanos() {
        return firstTokenNanos == 0 ? 0 : firstTokenNanos - receivedNanos;
    }

    void generated(int tokens, String piece) {
        completionTokens += tokens;
        text.append(piece);
    }

    int completionTokens() {
        return completionTokens;
    }

    String text() {
        return text.toString();
    }

    long totalNanos() {
        return finishedNanos - receivedNanos;
    }

    PreparedRequest request() {
        return request;
    }

    FinishReason finish() {
        return finish;
    }

    GatewayException error() {
        return error;
    }

    void finish(FinishReason reason, int tokens, String fullText, GatewayException failure) {
        finishedNanos = System.nanoTime();
        finish = reason;
        completionTokens = tokens;
        text.setLength(0);
        text.append(fullText);
        error = failure;
    }

    String status() {
        return error == null ? "ok" : error.kind().label();
    }

    GenerationListener.Outcome outcome() {
        return new GenerationListener.Outcome(requestId, request == null ? "" : request.version(), finish,
                request == null ? 0 : request.promptIds().length, completionTokens, text.toString(), error);
    }

    byte[] toRecord(boolean includeText) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("schema_version", SCHEMA_VERSION);
        r.put("request_id", requestId);
        r.put("client_id", call.clientId() == null ? "" : call.clientId());
        r.put("api", call.api().label());
        r.put("endpoint", call.endpoint());
        r.put("model", call.model());
        r.put("version", request == null ? nonNull(call.version()) : request.version());
        r.put("alias", request == null ? nonNull(call.alias()) : request.resolution().alias());
        r.put("route", request == null ? "" : request.resolution().route());
        r.put("received_at", Instant.ofEpochMilli(receivedEpochMs).toString());
        r.put("finished_at", Instant.ofEpochMilli(receivedEpochMs + (finishedNanos - receivedNanos) / 1_000_000).toString());
        r.put("queue_ms", admittedNanos == 0 ? null : millis(admittedNanos - receivedNanos));
        r.put("time_to_first_token_ms", firstTokenNanos == 0 ? null : millis(firstTokenNanos - receivedNanos));
        r.put("total_ms", millis(finishedNanos - receivedNanos));
        r.put("prompt_tokens", request == null ? 0 : request.promptIds().length);
        r.put("completion_tokens", completionTokens);
        r.put("finish_reason", finish == null ? FinishReason.ERROR.label() : finish.label());
        r.put("status", status());
        r.put("error", error == null ? null : error.getMessage());
        if (request != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("max_tokens", request.maxTokens());
            s.put("temperature", request.sampling().temperature());
            s.put("top_k", request.sampling().topK());
            s.put("top_p", request.sampling().topP());
            s.put("seed", request.sampling().seed());
            s.put("stop", request.stop());
            s.put("skip_special_tokens", request.skipSpecialTokens());
            r.put("sampling", s);
        }
        r.put("workers", workers);
        if (includeText) {
            r.put("prompt", request == null ? call.prompt() : request.promptText());
            r.put("completion", text.toString());
        }
        try {
            return JSON.writeValueAsBytes(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("request-log record of " + requestId + " cannot be written as JSON", e);
        }
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
