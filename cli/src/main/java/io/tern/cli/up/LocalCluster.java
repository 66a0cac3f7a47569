package io.tern.cli.up;

import io.tern.deploy.kafka.LocalKafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The whole system on loopback, as separate processes: a Kafka broker, the weight-store (which
 * imports the model), N inference-workers each holding a contiguous slice of the layers, and the
 * gateway. Started in dependency order, each awaited until ready; stopped in reverse.
 */
public final class LocalCluster implements AutoCloseable {
    /** What to start. */
    public record Spec(Path home, Path workDir, Path modelFile, String modelName, int workers, int gatewayPort, int storePort) {}

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final Spec spec;
    private final Consumer<String> say;
    private final String adminToken = UUID.randomUUID().toString();
    private final List<AutoCloseable> started = new ArrayList<>();
    private LocalKafka kafka;
    private ServiceProcess store;
    private final List<ServiceProcess> workers = new ArrayList<>();
    private ServiceProcess gateway;

    private LocalCluster(Spec spec, Consumer<String> say) {
        this.spec = spec;
        this.say = say;
    }

    public static LocalCluster start(Spec spec, Consumer<String> say) throws Exception {
        LocalCluster c = new LocalCluster(spec, say);
        try {
            c.startAll();
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        Path logs = spec.workDir().resolve("logs");
        Files.createDirectories(logs);

        say.accept("starting Kafka (KRaft, single node) ...");
        kafka = LocalKafka.start(spec.workDir().resolve("kafka"));
        started.add(kafka::stop);
        say.accept("  kafka        " + kafka.bootstrapServers() + "   log " + kafka.logFile());

        say.accept("starting weight-store ...");
        store = ServiceProcess.start("weight-store", jar("weight-store"), jvmArgs(), spec.storePort() > 0 ? spec.storePort() : freePort(), Map.of(
                "tern.store.root", spec.workDir().resolve("store").toString(),
                "tern.store.admin-token", adminToken), logs);
        started.add(store);
        store.awaitReady(READY_TIMEOUT);
        say.accept("  weight-store http://" + store.address() + "   log " + store.log());

        say.accept("importing " + spec.modelFile() + " as '" + spec.modelName() + "' ...");
        String manifest = importModel();
        say.accept("  " + manifest);

        for (int i = 0; i < spec.workers(); i++) {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("tern.worker.store", store.address());
            props.put("tern.worker.model", spec.modelName());
            props.put("tern.worker.alias", "stable");
            props.put("tern.worker.shard-index", Integer.toString(i));
            props.put("tern.worker.shard-count", Integer.toString(spec.workers()));
            props.put("tern.worker.cache-dir", spec.workDir().resolve("worker-" + i).toString());
            ServiceProcess w = ServiceProcess.start("worker-" + i, jar("inference-worker"), jvmArgs(), freePort(), props, logs);
            started.add(w);
            workers.add(w);
        }
        say.accept("starting " + spec.workers() + " inference-worker(s), shard i of " + spec.workers() + " each ...");
        for (ServiceProcess w : workers) {
            w.awaitReady(READY_TIMEOUT);
            say.accept("  " + w.name() + "     grpc " + w.address() + "   log " + w.log());
        }

        say.accept("starting gateway ...");
        Map<String, String> gw = new LinkedHashMap<>();
        gw.put("tern.gateway.workers", workers.stream().map(ServiceProcess::address).collect(Collectors.joining(",")));
        gw.put("tern.gateway.store", store.address());
        gw.put("tern.gateway.models", spec.modelName());
        gw.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        gw.put("tern.gateway.request-log.spool-dir", spec.workDir().resolve("gateway-spool").toString());
        gateway = ServiceProcess.start("gateway", jar("gateway"), jvmArgs(), spec.gatewayPort(), gw, logs);
        started.add(gateway);
        gateway.awaitReady(READY_TIMEOUT);
        say.accept("  gateway      http+grpc " + gateway.address() + "   log " + gateway.log());
    }

    private String importModel() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://" + store.address() + "/v1/models/" + spec.modelName();
        String body = "{\"path\": \"" + spec.modelFile().toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\", \"alias\": \"stable\"}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/import"))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofMinutes(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2)
            throw new IOException("import failed: HTTP " + r.statusCode() + " " + r.body());
        return "imported: " + (r.body().length() > 200 ? r.body().substring(0, 200) + "..." : r.body());
    }

    /** The engine's JVM flags: one file for the tern script, these services and the images. */
    private Path jvmArgs() {
        return spec.home().resolve("deploy/jvm/engine.args");
    }

    private Path jar(String module) {
        return spec.home().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public ServiceProcess gateway() { return gateway; }

    public ServiceProcess store() { return store; }

    public List<ServiceProcess> workers() { return workers; }

    public LocalKafka kafka() { return kafka; }

    public String adminToken() { return adminToken; }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops everything that was started, newest first. */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                say.accept("stopping: " + e.getMessage());
            }
        }
        started.clear();
    }
}
