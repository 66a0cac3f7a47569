package io.tern.cli.up;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One Tern service (a packaged Quarkus app) running as a child JVM, with its log in a file. */
public final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private ServiceProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts {@code jar} with the engine's JVM flags (the java argument file {@code jvmArgs}: deploy/jvm/engine.args),
     * the HTTP (and gRPC) port and the given system properties.
     */
    public static ServiceProcess start(String name, Path jar, Path jvmArgs, int port, Map<String, String> properties, Path logDir) throws IOException {
        if (!Files.isRegularFile(jar))
            throw new IOException(name + ": " + jar + " not found (build first: ./mvnw -B -DskipTests install)");
        if (!Files.isRegularFile(jvmArgs))
            throw new IOException(name + ": the engine's JVM flags " + jvmArgs + " not found (run from a Tern checkout, or set TERN_HOME to one)");
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + jvmArgs.toAbsolutePath(),
                "-Dquarkus.http.port=" + port));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServiceProcess(name, port, log, p);
    }

    public String name() { return name; }

    public int port() { return port; }

    public Path log() { return log; }

    public String address() { return "127.0.0.1:" + port; }

    public boolean isAlive() { return process.isAlive(); }

    /** Waits until /q/health/ready answers 200; fails early, with the end of the log, if the process exits. */
    public void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive())
                throw new IOException(name + " exited with code " + process.exitValue() + "; end of " + log + ":\n" + tail(40));
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException(name + " not ready after " + timeout.toSeconds() + " s; end of " + log + ":\n" + tail(40));
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL after 15 s. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
