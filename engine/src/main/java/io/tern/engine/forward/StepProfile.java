package io.tern.engine.forward;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where forward steps spend their time, phase by phase: wall-clock nanoseconds of the calling thread, summed over the
 * steps run since the last {@link #reset}. Attach one with {@link ForwardPass#profile}; {@link #OFF} (the default)
 * reads no clock. Matmul phases include their int8 quantisation of the input and the pool job's start and tail.
 */
public final class StepProfile {
    /** A ForwardPass without a profile: every call returns at once. */
    static final StepProfile OFF = new StepProfile(false);

    /** The phases of a step, in the order a layer runs them. */
    public enum Phase {
        ROWS("norms, residual adds"),
        QKV("q, k, v"),
        ROPE("rope"),
        ATTENTION("attention, KV put"),
        WO("wo"),
        GATE_UP("ffn gate, up"),
        FFN_ACT("ffn activation, sub-norm"),
        DOWN("ffn down"),
        HEAD("lm_head");

        private final String label;

        Phase(String label) { this.label = label; }

        public String label() { return label; }
    }

    private final boolean on;
    private final long[] nanos = new long[Phase.values().length];
    private long mark;

    public StepProfile() { this(true); }

    private StepProfile(boolean on) { this.on = on; }

    /** Starts timing from now (the time since the last lap is no phase's). */
    void start() {
        if (on) mark = System.nanoTime();
    }

    /** Books the time since the last lap (or start) to phase p. */
    void lap(Phase p) {
        if (!on) return;
        long now = System.nanoTime();
        nanos[p.ordinal()] += now - mark;
        mark = now;
    }

    /** Nanoseconds booked to phase p. */
    public long nanos(Phase p) { return nanos[p.ordinal()]; }

    /** All phases' nanoseconds, in {@link Phase} order. */
    public Map<Phase, Long> all() {
        Map<Phase, Long> m = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) m.put(p, nanos[p.ordinal()]);
        return m;
    }

    public void reset() { java.util.Arrays.fill(nanos, 0); }
}
