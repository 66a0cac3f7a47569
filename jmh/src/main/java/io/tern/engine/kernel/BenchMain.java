package io.tern.engine.kernel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.openjdk.jmh.Main;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The jar's entry point: JMH's own command line, with three additions. Unless {@code -p kernel=} is given, the
 * kernel parameter is narrowed to the providers that load here (each skipped one is named). Whenever benchmarks are
 * picked by pattern, the streaming-read baseline runs too (exclude it with {@code -e StreamRead}). At the end a
 * summary gives each benchmark's GB/s as a share of that baseline at the same thread count.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line:\n " + e.getMessage());
            System.exit(1);
            return;
        }
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
                || cmd.shouldListResultFormats()) {
            Main.main(args);
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cmd);
        if (!cmd.getParameter("kernel").hasValue()) {
            List<String> kernels = availableKernels();
            if (!kernels.isEmpty()) options.param("kernel", kernels.toArray(String[]::new));
        }
        String baseline = StreamRead.class.getName() + ".sum";
        List<String> includes = cmd.getIncludes();
        if (!includes.isEmpty() && includes.stream().noneMatch(p -> Pattern.compile(p).matcher(baseline).find())) {
            options.include(Pattern.quote(baseline) + "$");
        }
        Collection<RunResult> results;
        try {
            results = new Runner(options.build()).run();
        } catch (NoBenchmarksException e) {
            System.err.println("No matching benchmarks; list them with -l");
            System.exit(1);
            return;
        } catch (RunnerException e) {
            System.err.print("ERROR: ");
            e.printStackTrace(System.err);
            System.exit(1);
            return;
        }
        BaselineSummary.print(results, System.out);
    }

    /** native and vector when they load and pass the kernel chain's self-check; the reason for each that does not. */
    private static List<String> availableKernels() {
        List<String> ok = new ArrayList<>();
        for (String k : List.of("native", "vector")) {
            try {
                KernelChain.select(k);
                ok.add(k);
            } catch (RuntimeException | LinkageError e) {
                System.err.println("# kernel " + k + " skipped: " + e.getMessage());
            }
        }
        return ok;
    }
}
