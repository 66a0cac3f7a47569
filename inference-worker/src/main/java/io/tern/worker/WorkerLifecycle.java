package io.tern.worker;

import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.tern.proto.worker.v1.TernWorkerGrpc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Where the worker is in its life (STARTING → DOWNLOADING → LOADING → WARMING → READY, or FAILED with a reason), and
 * once READY the shard and its scheduler. Mirrors the state into the gRPC health service: SERVING only when READY.
 */
@ApplicationScoped
public class WorkerLifecycle {
    private static final Logger LOG = Logger.getLogger(WorkerLifecycle.class);

    @Inject
    Instance<GrpcHealthStorage> grpcHealth;

    private volatile WorkerState state = WorkerState.STARTING;
    private volatile String status = "starting";
    private volatile ShardInfo shard;
    private volatile BatchScheduler scheduler;

    public WorkerState state() {
        return state;
    }

    /** What the worker is doing, or why it failed. */
    public String status() {
        return status;
    }

    public Optional<ShardInfo> shard() {
        return Optional.ofNullable(shard);
    }

    Optional<BatchScheduler> scheduler() {
        return Optional.ofNullable(scheduler);
    }

    public boolean ready() {
        return state == WorkerState.READY;
    }

    void moveTo(WorkerState next, String what) {
        LOG.infof("worker %s: %s", next, what);
        state = next;
        status = what;
        publishHealth();
    }

    void ready(ShardInfo loaded, BatchScheduler running) {
        shard = loaded;
        scheduler = running;
        moveTo(WorkerState.READY, "ready: " + loaded.model() + " " + loaded.version() + " layers ["
                + loaded.layerStart() + ", " + loaded.layerEnd() + ")");
    }

    void fail(String reason) {
        LOG.errorf("worker FAILED: %s", reason);
        state = WorkerState.FAILED;
        status = reason;
        publishHealth();
    }

    /** The scheduler, or UNAVAILABLE with the state and reason. */
    BatchScheduler requireReady(String rpc) {
        BatchScheduler s = scheduler;
        if (state != WorkerState.READY || s == null) {
            throw Status.UNAVAILABLE.withDescription(rpc + " refused: worker is " + state + " (" + status + ")")
                    .asRuntimeException();
        }
        return s;
    }

    void publishHealth() {
        if (grpcHealth.isResolvable()) {
            ServingStatus s = state == WorkerState.READY ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
            grpcHealth.get().setStatus(GrpcHealthStorage.DEFAULT_SERVICE_NAME, s);
            grpcHealth.get().setStatus(TernWorkerGrpc.SERVICE_NAME, s);
        }
    }
}
