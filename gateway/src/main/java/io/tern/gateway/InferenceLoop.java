package io.tern.gateway;

import com.google.protobuf.ByteString;
import io.tern.engine.sampler.Sampler;
import io.tern.engine.tokenizer.StreamingDecoder;
import io.tern.engine.tokenizer.Tokenizer;
import io.tern.proto.worker.v1.ForwardRequest;
import io.tern.proto.worker.v1.Logits;
import io.tern.proto.worker.v1.LogitsMode;
import io.tern.proto.worker.v1.SequenceStep;
import io.tern.proto.worker.v1.StepResult;
import io.tern.proto.worker.v1.TokenIds;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one sequence through a route of workers: prefill the prompt in chunks, then decode a token
 * at a time. The first worker gets token ids, each next one the previous one's hidden states, the
 * last returns logits of the last position; the gateway samples with the engine's {@link Sampler},
 * exactly as the engine's Generator does, so the same seed gives the same tokens.
 */
final class InferenceLoop {

    private static final AtomicLong BATCH_IDS = new AtomicLong();

    /** What the loop produced. */
    record Result(FinishReason finish, int completionTokens, String text) {
    }

    private final PreparedRequest request;
    private final Route route;
    private final String sequenceId;
    private final Duration timeout;
    private final int prefillChunk;

    InferenceLoop(PreparedRequest request, Route route, String sequenceId, Duration timeout, int prefillChunk) {
        this.request = request;
        this.route = route;
        this.sequenceId = sequenceId;
        this.timeout = timeout;
        this.prefillChunk = Math.max(1, prefillChunk);
    }

    Result run(GenerationListener out) throws InterruptedException {
        int[] prompt = request.promptIds();
        int budget = request.budget();
        if (budget == 0) {
            return new Result(FinishReason.LENGTH, 0, "");
        }
        Tokenizer tokenizer = request.tokenizer().tokenizer();
        float[] logits = null;
        for (int off = 0; off < prompt.length; off += prefillChunk) {
            int n = Math.min(prefillChunk, prompt.length - off);
            logits = step(Arrays.copyOfRange(prompt, off, off + n), off);
        }
        Sampler sampler = new Sampler(request.sampling());
        StreamingDecoder decoder = tokenizer.streamingDecoder(request.skipSpecialTokens());
        StopStrings stops = new StopStrings(request.stop());
        StringBuilder text = new StringBuilder();
        int produced = 0;
        FinishReason finish = FinishReason.LENGTH;
        boolean stoppedByString = false;
        while (produced < budget) {
            int next = sampler.sample(logits, 0, logits.length);
            if (tokenizer.isStopToken(next)) {
                finish = FinishReason.STOP;
                break;
            }
            produced++;
            StopStrings.Step s = stops.push(decoder.push(next));
            text.append(s.text());
            out.tokens(new int[] {next}, s.text());
            if (s.stopped()) {
                finish = FinishReason.STOP;
                stoppedByString = true;
                break;
            }
            if (produced < budget) {
                logits = step(new int[] {next}, prompt.length + produced - 1);
            }
        }
        if (!stoppedByString) {
            StopStrings.Step s = stops.push(decoder.finish());
            String rest = s.stopped() ? s.text() : s.text() + stops.flush();
            if (s.stopped()) {
                finish = FinishReason.STOP;
            }
            if (!rest.isEmpty()) {
                text.append(rest);
                out.tokens(new int[0], rest);
            }
        }
        return new Result(finish, produced, text.toString());
    }

    /** Feeds ids at positions [start, start + n) through every hop; returns the last position's logits. */
    private float[] step(int[] ids, int start) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("cancelled");
        }
        SequenceStep.Builder step = SequenceStep.newBuilder()
                .setSequenceId(sequenceId)
                .setStartPosition(start)
                .setTokens(TokenIds.newBuilder().addAllIds(Arrays.stream(ids).boxed().toList()))
                .setLogitsMode(LogitsMode.LOGITS_LAST);
        var hops = route.hops();
        for (int i = 0; i < hops.size(); i++) {
            WorkerClient hop = hops.get(i);
            ForwardRequest req = ForwardRequest.newBuilder()
                    .setModel(request.model())
                    .setVersion(request.version())
                    .addSteps(step)
                    .setBatchId(BATCH_IDS.incrementAndGet())
                    .build();
            StepResult result = hop.forward(req, timeout).getResults(0);
            boolean last = i == hops.size() - 1;
            if (!last) {
                if (!result.hasHidden()) {
                    throw new GatewayException(GatewayException.Kind.INTERNAL, "worker " + hop.address()
                            + " (not the last shard) returned no hidden states");
                }
                step.setHidden(result.getHidden());
            } else {
                if (!result.hasLogits()) {
                    throw new GatewayException(GatewayException.Kind.INTERNAL, "worker " + hop.address()
                            + " (the last shard) returned no logits");
                }
                return lastRow(result.getLogits());
            }
        }
        throw new IllegalStateException("route has no workers");
    }

    // (n_positions, n_vocab) float32 little-endian -> the last row
    private static float[] lastRow(Logits logits) {
        int vocab = logits.getNVocab();
        ByteString data = logits.getData();
        int rows = Math.max(1, logits.getNPositions());
        if (data.size() != rows * vocab * Float.BYTES) {
            throw new GatewayException(GatewayException.Kind.INTERNAL, "logits have " + data.size() + " bytes, expected "
                    + rows + " x " + vocab + " float32");
        }
        float[] row = new float[vocab];
        data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).position((rows - 1) * vocab * Float.BYTES)
                .asFloatBuffer().get(row);
        return row;
    }
}
