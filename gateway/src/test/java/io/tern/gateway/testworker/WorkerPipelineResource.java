package io.tern.gateway.testworker;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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

/**
 * Starts a 2-shard pipeline of the tiny test model and points the gateway at it. Which workers run
 * is one property, {@value #MODE} (system property or environment variable TERN_TEST_WORKERS), or
 * a {@code mode} init argument: {@code jar} (default: the packaged inference-worker, one child JVM
 * per shard) or {@code in-process} ({@link InProcessWorker}, the engine's ForwardPass behind a real
 * gRPC server in this JVM, which tests can hold to fill the gateway's queue).
 */
public class WorkerPipelineResource implements QuarkusTestResourceLifecycleManager {

    public static final String MODE = "tern.test.workers";
    static final Path WORKER_JAR = Path.of("..", "inference-worker", "target", "quarkus-app", "quarkus-run.jar");

    private final List<InProcessWorker> inProcess = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private TestWorkers workers;
    private String modeArg;

    @Override
    public void init(Map<String, String> initArgs) {
        this.modeArg = initArgs.get("mode");
    }

    @Override
    public Map<String, String> start() {
        String mode = modeArg != null ? modeArg : System.getProperty(MODE, System.getenv().getOrDefault("TERN_TEST_WORKERS", "jar"));
        List<String> addresses = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Path shard = TinyModels.shard(i);
                if (mode.equals("jar")) {
                    addresses.add(startJar(shard));
                } else {
                    InProcessWorker w = new InProcessWorker(shard, TinyModels.MODEL, TinyModels.VERSION);
                    inProcess.add(w);
                    addresses.add(w.address());
                }
            }
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException("cannot start test workers", e);
        }
        workers = new TestWorkers(List.copyOf(addresses), List.copyOf(inProcess));
        return Map.of(
                "tern.gateway.workers", String.join(",", addresses),
                "tern.gateway.models", TinyModels.MODEL,
                "tern.gateway.tokenizer-file", TinyModels.full().toAbsolutePath().toString());
    }

    private String startJar(Path shard) throws IOException {
        if (!Files.exists(WORKER_JAR)) {
            throw new IOException("worker jar " + WORKER_JAR.toAbsolutePath() + " is missing: package inference-worker first");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Path.of("target", "worker-" + port + ".log");
        Process p = new ProcessBuilder(java.toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.http.port=" + port,
                "-Dtern.worker.model-file=" + shard.toAbsolutePath(),
                "-Dtern.worker.model=" + TinyModels.MODEL,
                "-Dtern.worker.version=" + TinyModels.VERSION,
                "-jar", WORKER_JAR.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        awaitReady(port, p, log);
        return "127.0.0.1:" + port;
    }

    private static void awaitReady(int port, Process p, Path log) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("worker on port " + port + " exited with " + p.exitValue() + "; see " + log.toAbsolutePath());
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the worker", e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the worker", e);
            }
        }
        throw new IOException("worker on port " + port + " not ready within 120 s; see " + log.toAbsolutePath());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(workers, new TestInjector.MatchesType(TestWorkers.class));
    }

    @Override
    public void stop() {
        for (InProcessWorker w : inProcess) {
            try {
                w.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.forEach(Process::destroy);
    }
}
