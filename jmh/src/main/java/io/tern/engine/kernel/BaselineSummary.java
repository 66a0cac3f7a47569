package io.tern.engine.kernel;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * After a run: per benchmark, GB/s of weights read, that as a share of the streaming-read baseline with the same
 * thread count ("/stream", 1.00 = as fast as memory can be read), and GMAC/s.
 */
final class BaselineSummary {
    private BaselineSummary() {}

    static void print(Collection<RunResult> results, PrintStream out) {
        Map<String, Double> stream = new HashMap<>();  // threads -> GB/s
        List<RunResult> rows = new ArrayList<>();
        for (RunResult r : results) {
            Result gb = r.getSecondaryResults().get("GBps");
            if (gb == null) continue;
            rows.add(r);
            if (r.getParams().getBenchmark().endsWith(".StreamRead.sum")) stream.put(r.getParams().getParam("threads"), gb.getScore());
        }
        if (rows.isEmpty()) return;
        out.println();
        out.println("Summary: GB/s read; /stream = share of StreamRead at the same thread count; GMAC/s");
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"benchmark", "params", "GB/s", "/stream", "GMAC/s"});
        for (RunResult r : rows) {
            BenchmarkParams p = r.getParams();
            double gb = r.getSecondaryResults().get("GBps").getScore();
            Double base = stream.get(p.getParam("threads"));
            Result mac = r.getSecondaryResults().get("GMACps");
            lines.add(new String[] {
                    p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.', p.getBenchmark().lastIndexOf('.') - 1) + 1),
                    p.getParamsKeys().stream().map(k -> k + "=" + p.getParam(k)).collect(Collectors.joining(" ")),
                    String.format(Locale.ROOT, "%.2f", gb),
                    base == null ? "-" : String.format(Locale.ROOT, "%.2f", gb / base),
                    mac == null ? "-" : String.format(Locale.ROOT, "%.1f", mac.getScore())});
        }
        int[] width = new int[5];
        for (String[] l : lines) for (int i = 0; i < 5; i++) width[i] = Math.max(width[i], l[i].length());
        for (String[] l : lines) {
            out.printf(Locale.ROOT, "%-" + width[0] + "s  %-" + width[1] + "s  %" + width[2] + "s  %" + width[3] + "s  %" + width[4] + "s%n",
                    (Object[]) l);
        }
    }
}
