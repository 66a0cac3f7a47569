package io.tern.worker;

import io.tern.proto.worker.v1.ForwardResponse;
import io.tern.proto.worker.v1.HiddenStates;
import io.tern.proto.worker.v1.Logits;
import io.tern.proto.worker.v1.StepResult;

/** A finished {@link ForwardCall} as a ForwardResponse: hidden rows, or logits on the last shard. */
final class ResponseEncoder {
    private final ShardInfo shard;

    ResponseEncoder(ShardInfo shard) {
        this.shard = shard;
    }

    ForwardResponse encode(ForwardCall call) {
        ForwardResponse.Builder response = ForwardResponse.newBuilder().setBatchId(call.batchId);
        for (StepTask t : call.tasks) {
            StepResult.Builder r = StepResult.newBuilder()
                    .setSequenceId(t.input.sequenceId())
                    .setKvLength(t.end());
            if (shard.isLast()) {
                int rows = t.input.allLogits() ? t.count() : 1;
                r.setLogits(Logits.newBuilder()
                        .setNPositions(rows)
                        .setNVocab(shard.nVocab())
                        .setFirstPosition(t.end() - rows)
                        .setData(Float32Bytes.encode(t.output, 0, rows * shard.nVocab())));
            } else {
                r.setHidden(HiddenStates.newBuilder()
                        .setNTokens(t.count())
                        .setNEmbd(shard.nEmbd())
                        .setData(Float32Bytes.encode(t.output, 0, t.count() * shard.nEmbd())));
            }
            response.addResults(r);
        }
        return response.build();
    }
}
