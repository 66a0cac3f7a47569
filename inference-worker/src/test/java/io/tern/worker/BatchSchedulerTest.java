package io.tern.worker;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.engine.forward.ForwardPass;
import io.tern.engine.model.BitNetModel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler without gRPC: work is queued before its thread starts, so which steps are dropped, chunked or merged
 * does not depend on timing.
 */
class BatchSchedulerTest {
    private BitNetModel model;
    private BatchScheduler scheduler;

    @BeforeEach
    void create() {
        model = TestModels.load(TestModels.whole());
        scheduler = new BatchScheduler(new ForwardPass(model, 16), 64L << 20, 16, Duration.ofMinutes(5), Duration.ZERO, null);
    }

    @AfterEach
    void close() {
        scheduler.close();
        model.close();
    }

    private static StepInput tokens(String id, int start, int count) {
        return new StepInput(id, start, count, new int[count], null, false, 128);
    }

    private static Status.Code failure(ForwardCall call) throws InterruptedException {
        ExecutionException e = assertThrows(ExecutionException.class, () -> call.result().get(60, TimeUnit.SECONDS));
        return ((StatusRuntimeException) e.getCause()).getStatus().getCode();
    }

    @Test
    void cancelledAndExpiredCallsAreDroppedBeforeTheyRun() throws Exception {
        ForwardCall kept = scheduler.submit(1, List.of(tokens("kept", 0, 3)), Long.MAX_VALUE);
        ForwardCall expired = scheduler.submit(2, List.of(tokens("expired", 0, 3)), System.nanoTime() - 1);
        ForwardCall cancelled = scheduler.submit(3, List.of(tokens("cancelled", 0, 3)), Long.MAX_VALUE);
        scheduler.cancel(cancelled, Status.CANCELLED.asRuntimeException());
        assertEquals(2, scheduler.snapshot().queuedSteps());
        assertFalse(scheduler.holds("cancelled"), "a sequence whose only step was cancelled is freed");

        scheduler.start();
        kept.result().get(60, TimeUnit.SECONDS);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(expired));
        assertEquals(Status.Code.CANCELLED, failure(cancelled));
        assertTrue(scheduler.holds("kept"));
        assertFalse(scheduler.holds("expired"));
        BatchScheduler.Snapshot s = scheduler.snapshot();
        assertEquals(3, s.tokens(), "only the kept call's tokens ran");
        assertEquals(0, s.queuedSteps());
    }

    @Test
    void longPrefillIsChunkedAndDecodesRideAlong() throws Exception {
        // All queued before the thread starts: a's prompt and its next decode step, and a 40-token prefill of b.
        ForwardCall prompt = scheduler.submit(1, List.of(tokens("a", 0, 2)), Long.MAX_VALUE);
        ForwardCall prefill = scheduler.submit(2, List.of(tokens("b", 0, 40)), Long.MAX_VALUE);
        ForwardCall decode = scheduler.submit(3, List.of(tokens("a", 2, 1)), Long.MAX_VALUE);
        scheduler.start();
        for (ForwardCall c : List.of(prompt, prefill, decode)) {
            c.result().get(60, TimeUnit.SECONDS);
        }
        BatchScheduler.Snapshot s = scheduler.snapshot();
        assertEquals(3, s.batches(), "43 tokens in steps of 16: [a 2 + b 14], [a 1 + b 15], [b 11]");
        assertEquals(2, s.maxSegmentsInBatch());
        assertEquals(2 + 40 + 1, s.tokens());
    }

    @Test
    void releaseFailsQueuedStepsAndFreesTheBudget() throws Exception {
        ForwardCall queued = scheduler.submit(1, List.of(tokens("r", 0, 4)), Long.MAX_VALUE);
        long reserved = scheduler.snapshot().kvReservedBytes();
        assertTrue(reserved > 0);
        assertEquals(1, scheduler.release(List.of("r", "unknown")));
        assertEquals(0, scheduler.snapshot().kvReservedBytes());
        assertEquals(Status.Code.CANCELLED, failure(queued));
    }

    @Test
    void aFirstStepArrivingAfterItsReleaseDoesNotStartTheSequenceAgain() {
        // The release overtook the step: the gateway let go of the sequence while its first step was in flight.
        assertEquals(0, scheduler.release(List.of("late")));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> scheduler.submit(1, List.of(tokens("late", 0, 4)), Long.MAX_VALUE));
        assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("released"), e.getStatus().getDescription());
        assertEquals(0, scheduler.snapshot().sequences());
        assertEquals(0, scheduler.snapshot().kvReservedBytes());
        // Other sequences are not affected, and nothing of the refused submit was queued.
        ForwardCall other = scheduler.submit(2, List.of(tokens("fresh", 0, 4)), Long.MAX_VALUE);
        scheduler.start();
        assertDoesNotThrow(() -> other.result().get(60, TimeUnit.SECONDS));
        assertEquals(1, scheduler.snapshot().sequences());
    }

    @Test
    void aRewindWhileStepsAreQueuedIsRefused() {
        scheduler.submit(1, List.of(tokens("q", 0, 4)), Long.MAX_VALUE);
        scheduler.submit(2, List.of(tokens("q", 4, 1)), Long.MAX_VALUE);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> scheduler.submit(3, List.of(tokens("q", 2, 1)), Long.MAX_VALUE));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("queued steps up to position 5"));
    }
}
