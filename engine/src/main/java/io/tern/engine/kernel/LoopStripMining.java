package io.tern.engine.kernel;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether C2 strip-mines counted loops in this JVM. The Vector API kernel needs it: G1 has it on by default, while
 * ParallelGC and SerialGC turn {@code UseCountedLoopSafepoints} off and with it {@code LoopStripMiningIter}, and then
 * the ternary GEMV ran at half speed (12 vs 24 GB/s, 2 threads, Zen 5 VM), most of its samples (JFR) in the
 * MemorySegment liveness and bounds checks of its weight loads — checks that C2 otherwise keeps out of the loop.
 * {@code -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000} turns it back on; deploy/jvm/engine.args, which
 * every launcher passes, carries both.
 */
final class LoopStripMining {
    private LoopStripMining() {}

    /** True or false when this JVM reports its flags, null when it does not (no HotSpot management bean). */
    static Boolean enabled() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm == null) return null;
            boolean safepoints = Boolean.parseBoolean(vm.getVMOption("UseCountedLoopSafepoints").getValue());
            long iterations = Long.parseLong(vm.getVMOption("LoopStripMiningIter").getValue());
            return safepoints && iterations > 1;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** A warning for the log when the vector kernel will run without it, else null. */
    static String warning() {
        return Boolean.FALSE.equals(enabled())
                ? "C2 loop strip mining is off in this JVM (ParallelGC or SerialGC turn it off): the vector kernel runs ~2x slower;"
                  + " start java with -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000 (or @deploy/jvm/engine.args)"
                : null;
    }
}
