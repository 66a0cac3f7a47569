package io.tern.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time the hypervisor gave to other guests ("steal" in /proc/stat), as a share of all CPU time. On a busy host
 * a benchmark loses whole milliseconds of a core at random; the bench reports how much, so its figures can be read.
 *
 * @param steal jiffies stolen so far, all CPUs (−1 if unknown)
 * @param total jiffies of every kind so far, all CPUs
 */
record CpuSteal(long steal, long total) {
    private static final CpuSteal UNKNOWN = new CpuSteal(-1, -1);

    static CpuSteal now() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/stat")).getFirst());
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** The aggregate line: "cpu user nice system idle iowait irq softirq steal [guest guest_nice]". */
    static CpuSteal parse(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 9 || !f[0].equals("cpu")) return UNKNOWN;
        long total = 0;
        for (int i = 1; i <= 8; i++) total += Long.parseLong(f[i]);  // guest time is already inside user
        return new CpuSteal(Long.parseLong(f[8]), total);
    }

    /** The stolen share of CPU time since {@code before}, or NaN if unknown. */
    double since(CpuSteal before) {
        if (steal < 0 || before.steal < 0 || total <= before.total) return Double.NaN;
        return (double) (steal - before.steal) / (total - before.total);
    }
}
