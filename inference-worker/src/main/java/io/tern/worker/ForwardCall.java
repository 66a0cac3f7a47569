package io.tern.worker;

import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One Forward request in the scheduler: its steps, its deadline, and the future the gRPC call waits on. Completes
 * when every step has run, or fails (and its queued steps are dropped) on the first error or cancellation.
 */
final class ForwardCall {
    final long batchId;
    /** System.nanoTime() after which the call is dropped; Long.MAX_VALUE for none. */
    final long deadlineNanos;
    final List<StepTask> tasks = new ArrayList<>();
    private final CompletableFuture<ForwardCall> result = new CompletableFuture<>();
    private int finishedTasks;

    ForwardCall(long batchId, long deadlineNanos) {
        this.batchId = batchId;
        this.deadlineNanos = deadlineNanos;
    }

    CompletableFuture<ForwardCall> result() {
        return result;
    }

    boolean over() {
        return result.isDone();
    }

    boolean expired(long nowNanos) {
        return deadlineNanos != Long.MAX_VALUE && nowNanos - deadlineNanos > 0;
    }

    /** Counts a finished step; completes the call when it was the last one. */
    void taskFinished() {
        if (++finishedTasks == tasks.size()) {
            result.complete(this);
        }
    }

    void fail(StatusRuntimeException e) {
        result.completeExceptionally(e);
    }
}
