package io.tern.deploy.kafka;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Kafka (KRaft) broker on 127.0.0.1, run as a child JVM, for tests and the local launcher.
 *
 * <p>Pure Java with no Kafka dependency: the broker's own classpath comes from the file this module's
 * build writes (see {@link KafkaClasspath}). Everything lives in one work dir: {@code server.properties},
 * {@code log4j2.properties}, {@code data/} (the log dirs) and {@code broker.log} (the child's output,
 * appended across restarts). A work dir whose data is already formatted is reused as is, so records
 * survive {@link #restart()} and a later {@link #start(Path)} on the same dir.
 *
 * <pre>{@code
 * try (LocalKafka kafka = LocalKafka.start(workDir)) {
 *     String bootstrap = kafka.bootstrapServers();   // "127.0.0.1:<port>"
 * }
 * }</pre>
 */
public final class LocalKafka implements AutoCloseable {

    /** Line the broker logs once it is serving. */
    static final String STARTED_MARKER = "Kafka Server started";

    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final List<String> JVM_OPTIONS = List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
            "-Djava.awt.headless=true");

    private final BrokerConfig config;
    private final String classpath;
    private final Duration startTimeout;
    private Process process;
    private Thread shutdownHook;

    private LocalKafka(BrokerConfig config, String classpath, Duration startTimeout) {
        this.config = config;
        this.classpath = classpath;
        this.startTimeout = startTimeout;
    }

    /** Starts a broker in {@code workDir} (created if missing) on fresh free ports; waits until it serves. */
    public static LocalKafka start(Path workDir) throws IOException {
        return start(workDir, DEFAULT_START_TIMEOUT);
    }

    public static LocalKafka start(Path workDir, Duration startTimeout) throws IOException {
        Files.createDirectories(workDir);
        BrokerConfig config = BrokerConfig.withFreePorts(workDir);
        config.write();
        LocalKafka kafka = new LocalKafka(config, KafkaClasspath.locate(), startTimeout);
        if (!config.isFormatted()) {
            kafka.format();
        }
        kafka.launch();
        return kafka;
    }

    /** {@code host:port} of the broker's PLAINTEXT listener. Stays the same across {@link #restart()}. */
    public String bootstrapServers() {
        return config.bootstrapServers();
    }

    public Path workDir() {
        return config.workDir();
    }

    /** The broker's combined stdout/stderr. */
    public Path logFile() {
        return config.workDir().resolve("broker.log");
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the broker: SIGTERM for a clean shutdown, then a kill if it has not exited within 30 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        terminate(process);
        process = null;
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // The hook is running or about to; nothing left to undo.
            }
            shutdownHook = null;
        }
    }

    /** Stops the broker if it runs, then starts it again on the same ports and data dir. */
    public synchronized void restart() throws IOException {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private void format() throws IOException {
        Path formatLog = config.workDir().resolve("format.log");
        List<String> command = javaCommand("kafka.tools.StorageTool", "format",
                "-t", BrokerConfig.newClusterId(), "-c", config.serverProperties().toString());
        Process format = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(formatLog.toFile())
                .start();
        try {
            if (!format.waitFor(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                format.destroyForcibly();
                throw new IllegalStateException("Kafka storage format did not finish within " + startTimeout
                        + "; see " + formatLog);
            }
        } catch (InterruptedException e) {
            format.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka storage", e);
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException("Kafka storage format failed (exit " + format.exitValue() + "):\n"
                    + tail(formatLog, 4000));
        }
    }

    private synchronized void launch() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException("Kafka broker in " + config.workDir() + " is already running");
        }
        Path log = logFile();
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        List<String> command = javaCommand("kafka.Kafka", config.serverProperties().toString());
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Process started = process;
        shutdownHook = new Thread(() -> terminate(started), "local-kafka-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        awaitStarted(log, logStart);
    }

    /** Polls the log (from where this launch began) for the start marker; fails fast if the broker exits. */
    private void awaitStarted(Path log, long from) throws IOException {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (true) {
            if (readFrom(log, from).contains(STARTED_MARKER)) {
                return;
            }
            if (!process.isAlive()) {
                int exit = process.exitValue();
                process = null;
                throw new IllegalStateException("Kafka broker exited (code " + exit + ") before it started:\n"
                        + tail(log, 4000));
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException("Kafka broker did not log '" + STARTED_MARKER + "' within "
                        + startTimeout + ":\n" + tail(log, 4000));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                stop();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Kafka broker to start", e);
            }
        }
    }

    private List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-Dlog4j2.configurationFile=" + config.log4jConfig().toUri());
        command.add("-Dkafka.logs.dir=" + config.workDir().resolve("logs"));
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    private static void terminate(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String readFrom(Path file, long offset) {
        if (!Files.exists(file)) {
            return "";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= offset) {
                return "";
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, Integer.MAX_VALUE - 8)];
            in.seek(offset);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Kafka broker log " + file, e);
        }
    }

    private static String tail(Path file, int maxChars) {
        String text = readFrom(file, 0);
        return text.length() <= maxChars ? text : "..." + text.substring(text.length() - maxChars);
    }
}
