package io.tern.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `tern` command. */
@Command(name = "tern", mixinStandardHelpOptions = true, version = "tern 0.1.0",
        description = "Serve and run ternary (1.58-bit) BitNet LLMs.",
        subcommands = {GenerateCommand.class, TokenizeCommand.class, LogitsCommand.class, BenchCommand.class, ImportCommand.class, UpCommand.class})
public final class Tern implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Tern());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("tern: " + message(e));
            if (System.getenv("TERN_DEBUG") != null) e.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
