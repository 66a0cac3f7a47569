package io.tern.cli;

import io.tern.cli.up.LocalCluster;
import io.tern.cli.up.ServiceProcess;
import io.tern.engine.gguf.GgmlType;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run the whole system locally: Kafka, weight-store, workers (a slice of the layers each), gateway.")
final class UpCommand implements Callable<Integer> {
    /** The demo model: random ternary weights, small enough to start in seconds. */
    static final BitNetShape DEMO_SHAPE = new BitNetShape(BitNetShape.LLAMA_CPP_ARCH, 4, 512, 1536, 8, 2, 512, 2048, 500000f, 1e-5f);

    @Option(names = "--model", description = "GGUF model to serve (default: a generated demo model)") Path model;
    @Option(names = "--name", defaultValue = "demo", description = "model name in the store and the APIs") String name;
    @Option(names = "--workers", defaultValue = "2", description = "inference-workers, each holding 1/N of the layers") int workers;
    @Option(names = "--port", defaultValue = "8080", description = "gateway HTTP + gRPC port") int port;
    @Option(names = "--store-port", defaultValue = "8081", description = "weight-store HTTP + gRPC port (0 = any free)") int storePort;
    @Option(names = "--work-dir", description = "state and logs (default $TERN_HOME/.tern/up)") Path workDir;

    @Override
    public Integer call() throws Exception {
        if (workers < 1) throw new IllegalArgumentException("--workers must be >= 1");
        Path home = Path.of(System.getenv().getOrDefault("TERN_HOME", ".")).toAbsolutePath();
        Path dir = workDir != null ? workDir : home.resolve(".tern/up");
        Files.createDirectories(dir);
        Path file = model;
        if (file == null) {
            file = dir.resolve("demo-tq2_0.gguf");
            if (!Files.exists(file)) {
                System.out.println("writing the demo model (random ternary weights, " + DEMO_SHAPE.nLayer() + " layers) to " + file);
                new TestModelGenerator(DEMO_SHAPE).weightType(GgmlType.TQ2_0).seed(1).write(file);
            }
        }
        LocalCluster cluster = LocalCluster.start(
                new LocalCluster.Spec(home, dir, file, name, workers, port, storePort), System.out::println);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            System.out.println("\nstopping ...");
            cluster.close();
            System.out.println("stopped; logs are in " + dir.resolve("logs"));
            stopped.countDown();
        }));
        printUsage(cluster);
        while (stopped.getCount() > 0) {
            for (ServiceProcess p : cluster.workers()) warnIfDead(p);
            warnIfDead(cluster.gateway());
            warnIfDead(cluster.store());
            Thread.sleep(2000);
        }
        return 0;
    }

    private final java.util.Set<String> reported = new java.util.HashSet<>();
    private volatile boolean stopping;

    private void warnIfDead(ServiceProcess p) {
        if (!stopping && !p.isAlive() && reported.add(p.name()))
            System.out.println(p.name() + " has exited; end of " + p.log() + ":\n" + p.tail(20));
    }

    private void printUsage(LocalCluster c) {
        String gw = c.gateway().address();
        System.out.println();
        System.out.println("Tern is up. Ctrl-C stops everything.");
        System.out.println();
        System.out.println("  OpenAI HTTP:  curl -s http://" + gw + "/v1/completions -H 'Content-Type: application/json' \\");
        System.out.println("                  -d '{\"model\": \"" + name + "\", \"prompt\": \"hello world\", \"max_tokens\": 16}'");
        System.out.println("  gRPC:         grpcurl -plaintext -d '{\"model\": {\"name\": \"" + name + "\"}, \"prompt\": \"hello\"}' \\");
        System.out.println("                  " + gw + " tern.gateway.v1.TernGateway/Generate");
        System.out.println("  KServe OIP:   grpcurl -plaintext " + gw + " inference.GRPCInferenceService/ServerReady");
        System.out.println("  request log:  kcat -b " + c.kafka().bootstrapServers() + " -t tern.request-log -C");
        System.out.println("  store:        curl -s http://" + c.store().address() + "/v1/models");
        System.out.println("  health:       curl -s http://" + gw + "/q/health/ready");
        System.out.println("  metrics:      curl -s http://" + gw + "/q/metrics");
    }
}
