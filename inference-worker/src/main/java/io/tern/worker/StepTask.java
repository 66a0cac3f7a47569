package io.tern.worker;

/**
 * One sequence step of a {@link ForwardCall} as the scheduler runs it: the input rows, how many of them have gone
 * through the layers ({@code done}; a long prefill takes several scheduler steps), and the output as it fills in.
 */
final class StepTask {
    final ForwardCall call;
    final Sequence sequence;
    final StepInput input;
    /** Tokens already run through the layers. */
    int done;
    /**
     * Not last shard: hidden rows (count, dim). Last shard: logits (count, vocab) with all logits, else (1, vocab).
     */
    float[] output;

    StepTask(ForwardCall call, Sequence sequence, StepInput input) {
        this.call = call;
        this.sequence = sequence;
        this.input = input;
    }

    int start() {
        return input.start();
    }

    int count() {
        return input.count();
    }

    int end() {
        return input.end();
    }

    int remaining() {
        return input.count() - done;
    }

    boolean finished() {
        return done == input.count();
    }
}
