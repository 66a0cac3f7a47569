package io.tern.worker;

import io.tern.proto.worker.v1.DescribeRequest;
import io.tern.proto.worker.v1.DescribeResponse;
import io.tern.proto.worker.v1.ForwardRequest;
import io.tern.proto.worker.v1.ForwardResponse;
import io.tern.proto.worker.v1.HiddenStates;
import io.tern.proto.worker.v1.LogitsMode;
import io.tern.proto.worker.v1.SequenceStep;
import io.tern.proto.worker.v1.StepResult;
import io.tern.proto.worker.v1.TernWorkerGrpc.TernWorkerBlockingStub;
import io.tern.proto.worker.v1.TokenIds;
import java.time.Duration;
import java.util.Arrays;

/** Test-side helpers over the worker's blocking stub. */
final class WorkerClient {
    private final TernWorkerBlockingStub stub;

    WorkerClient(TernWorkerBlockingStub stub) {
        this.stub = stub;
    }

    TernWorkerBlockingStub stub() {
        return stub;
    }

    static SequenceStep.Builder tokens(String seq, int start, int... ids) {
        return SequenceStep.newBuilder().setSequenceId(seq).setStartPosition(start)
                .setTokens(TokenIds.newBuilder().addAllIds(Arrays.stream(ids).boxed().toList()));
    }

    static SequenceStep.Builder hidden(String seq, int start, float[] rows, int width) {
        return SequenceStep.newBuilder().setSequenceId(seq).setStartPosition(start)
                .setHidden(HiddenStates.newBuilder().setNTokens(rows.length / width).setNEmbd(width)
                        .setData(Float32Bytes.encode(rows, 0, rows.length)));
    }

    ForwardResponse forward(SequenceStep.Builder... steps) {
        ForwardRequest.Builder r = ForwardRequest.newBuilder();
        for (SequenceStep.Builder s : steps) {
            r.addSteps(s);
        }
        return stub.forward(r.build());
    }

    /** Logits of one step's result. */
    static float[] logits(StepResult r) {
        return Float32Bytes.decode(r.getLogits().getData());
    }

    float[] lastLogits(SequenceStep.Builder step) {
        return logits(forward(step.setLogitsMode(LogitsMode.LOGITS_LAST)).getResults(0));
    }

    DescribeResponse describe() {
        return stub.describe(DescribeRequest.getDefaultInstance());
    }

    /** Waits (not a timing assertion) until the worker reports READY, or fails with its state. */
    DescribeResponse awaitReady(Duration atMost) throws InterruptedException {
        long giveUp = System.nanoTime() + atMost.toNanos();
        DescribeResponse d = describe();
        while (!d.getReady()) {
            if (d.getState().equals("FAILED") || System.nanoTime() > giveUp) {
                throw new AssertionError("worker not ready: " + d.getState() + " " + d.getStatus());
            }
            Thread.sleep(50);
            d = describe();
        }
        return d;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
