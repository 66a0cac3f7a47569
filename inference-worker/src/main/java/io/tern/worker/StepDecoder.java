package io.tern.worker;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.proto.worker.v1.ForwardRequest;
import io.tern.proto.worker.v1.HiddenStates;
import io.tern.proto.worker.v1.LogitsMode;
import io.tern.proto.worker.v1.SequenceStep;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a ForwardRequest against the shard (model, input kind and size, token range) and turns its steps into
 * {@link StepInput}s. Positions are checked later, against the sequences, by the scheduler.
 */
final class StepDecoder {
    private final ShardInfo shard;

    StepDecoder(ShardInfo shard) {
        this.shard = shard;
    }

    List<StepInput> decode(ForwardRequest request) {
        if (!request.getModel().isEmpty() && !request.getModel().equals(shard.model())) {
            throw Status.FAILED_PRECONDITION.withDescription("this worker holds model '" + shard.model()
                    + "', not '" + request.getModel() + "'").asRuntimeException();
        }
        if (!request.getVersion().isEmpty() && !request.getVersion().equals(shard.version())) {
            throw Status.FAILED_PRECONDITION.withDescription("this worker holds version '" + shard.version()
                    + "' of " + shard.model() + ", not '" + request.getVersion() + "'").asRuntimeException();
        }
        if (request.getStepsCount() == 0) {
            throw invalid("request has no steps");
        }
        Set<String> ids = new HashSet<>();
        List<StepInput> steps = new ArrayList<>(request.getStepsCount());
        for (SequenceStep step : request.getStepsList()) {
            if (step.getSequenceId().isEmpty()) {
                throw invalid("a step has no sequence_id");
            }
            if (!ids.add(step.getSequenceId())) {
                throw invalid("sequence " + step.getSequenceId() + " has more than one step in the request");
            }
            steps.add(decode(step));
        }
        return steps;
    }

    private StepInput decode(SequenceStep step) {
        String id = step.getSequenceId();
        int start = step.getStartPosition();
        if (start < 0) {
            throw invalid("sequence " + id + ": start_position " + Integer.toUnsignedString(start) + " is too large");
        }
        int maxPositions = maxPositions(step);
        boolean all = step.getLogitsMode() == LogitsMode.LOGITS_ALL;
        if (shard.isFirst()) {
            if (!step.hasTokens()) {
                throw invalid("sequence " + id + ": this worker holds the first layers [0, " + shard.layerEnd()
                        + ") and takes token ids, not hidden states");
            }
            int[] tokens = step.getTokens().getIdsList().stream().mapToInt(Integer::intValue).toArray();
            if (tokens.length == 0) {
                throw invalid("sequence " + id + ": step has no token ids");
            }
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] < 0 || tokens[i] >= shard.nVocab()) {
                    throw invalid("sequence " + id + ": token id " + tokens[i] + " at index " + i
                            + " is outside the vocabulary [0, " + shard.nVocab() + ")");
                }
            }
            return new StepInput(id, start, tokens.length, tokens, null, all, maxPositions);
        }
        if (!step.hasHidden()) {
            throw invalid("sequence " + id + ": this worker holds layers [" + shard.layerStart() + ", "
                    + shard.layerEnd() + ") and takes hidden states, not token ids");
        }
        HiddenStates h = step.getHidden();
        if (h.getNEmbd() != shard.nEmbd()) {
            throw invalid("sequence " + id + ": hidden states are " + h.getNEmbd() + " wide, the model is "
                    + shard.nEmbd());
        }
        if (h.getNTokens() <= 0) {
            throw invalid("sequence " + id + ": hidden states have no rows");
        }
        long expected = (long) h.getNTokens() * h.getNEmbd() * Float.BYTES;
        if (h.getData().size() != expected) {
            throw invalid("sequence " + id + ": hidden states carry " + h.getData().size() + " bytes, "
                    + h.getNTokens() + " × " + h.getNEmbd() + " float32 need " + expected);
        }
        return new StepInput(id, start, h.getNTokens(), null, Float32Bytes.decode(h.getData()), all, maxPositions);
    }

    private int maxPositions(SequenceStep step) {
        int asked = step.getMaxPositions();
        if (asked == 0) {
            return shard.contextLength();
        }
        if (asked < 0 || asked > shard.contextLength()) {
            throw invalid("sequence " + step.getSequenceId() + ": max_positions " + Integer.toUnsignedString(asked)
                    + " exceeds the model's context length " + shard.contextLength());
        }
        return asked;
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
