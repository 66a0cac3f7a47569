package io.tern.gateway;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Finds workers: resolves every configured {@code host:port} (each A record of a name is a worker, so
 * a Kubernetes headless Service works), checks each with the gRPC health protocol and Describe, and
 * rebuilds the pipelines. Runs at start-up and then every {@code tern.gateway.discovery-interval}.
 */
@ApplicationScoped
public class WorkerDiscovery {

    private static final Logger LOG = Logger.getLogger(WorkerDiscovery.class);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(3);

    @Inject
    GatewayConfig config;

    @Inject
    PipelineRegistry registry;

    private final Map<String, WorkerClient> clients = new ConcurrentHashMap<>();
    private final Set<String> lastProblems = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent event) {
        if (config.workers().isEmpty()) {
            LOG.info("no workers configured (tern.gateway.workers): no pipelines");
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("worker-discovery").factory());
        long every = config.discoveryInterval().toMillis();
        timer.scheduleWithFixedDelay(this::safeRound, 0, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
        clients.values().forEach(WorkerClient::close);
    }

    /** One discovery round now (also used by tests to avoid waiting for the timer). */
    public synchronized void round() {
        Set<String> addresses = resolve(config.workers().orElse(List.of()));
        clients.keySet().removeIf(a -> {
            if (addresses.contains(a)) {
                return false;
            }
            clients.get(a).close();
            return true;
        });
        List<WorkerClient> ready = new ArrayList<>();
        Set<String> problems = new LinkedHashSet<>();
        for (String address : addresses) {
            WorkerClient client = clients.computeIfAbsent(address, WorkerClient::new);
            try {
                var d = client.check(CHECK_TIMEOUT);
                if (d.getReady()) {
                    ready.add(client);
                } else {
                    problems.add(address + ": not ready (" + d.getStatus() + ")");
                }
            } catch (RuntimeException e) {
                problems.add(address + ": " + e.getMessage());
            }
        }
        registry.replace(PipelineAssembler.assemble(ready));
        if (!problems.equals(lastProblems)) {
            problems.forEach(p -> LOG.warnf("worker %s", p));
            lastProblems.clear();
            lastProblems.addAll(problems);
        }
    }

    private void safeRound() {
        try {
            round();
        } catch (RuntimeException e) {
            LOG.warn("worker discovery round failed", e);
        }
    }

    static Set<String> resolve(List<String> entries) {
        Set<String> out = new LinkedHashSet<>();
        for (String entry : entries) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int colon = e.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("worker '" + e + "' is not host:port");
            }
            String host = e.substring(0, colon);
            String port = e.substring(colon + 1);
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    String ip = a.getHostAddress();
                    out.add((ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port);
                }
            } catch (UnknownHostException ex) {
                LOG.debugf("worker name %s does not resolve (yet)", host);
            }
        }
        return out;
    }
}
