package io.tern.gateway.testworker;

import com.google.protobuf.ByteString;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.proto.worker.v1.DescribeRequest;
import io.tern.proto.worker.v1.DescribeResponse;
import io.tern.proto.worker.v1.ForwardRequest;
import io.tern.proto.worker.v1.ForwardResponse;
import io.tern.proto.worker.v1.HiddenStates;
import io.tern.proto.worker.v1.Logits;
import io.tern.proto.worker.v1.ReleaseRequest;
import io.tern.proto.worker.v1.ReleaseResponse;
import io.tern.proto.worker.v1.SequenceStep;
import io.tern.proto.worker.v1.StepResult;
import io.tern.proto.worker.v1.TernWorkerGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real TernWorker in the test JVM: runs the engine's ForwardPass on one shard file, one step at a
 * time (no batching), with a KV cache per sequence. {@link #hold()} makes Forward wait until
 * {@link #resume()}, to keep requests busy (queue tests).
 */
public final class InProcessWorker implements AutoCloseable {

    private final BitNetModel model;
    private final ForwardPass pass;
    private final String modelName;
    private final String version;
    private final Map<String, KvCache> caches = new ConcurrentHashMap<>();
    private final java.util.Set<String> released = ConcurrentHashMap.newKeySet();  // retired ids, as the real worker keeps them
    private final Server server;
    private volatile CountDownLatch gate;
    private volatile int forwardCalls;

    public InProcessWorker(Path shard, String modelName, String version) throws IOException {
        this.model = ModelLoader.load(shard, ModelOptions.defaults().withThreads(1));
        this.pass = new ForwardPass(model, 256);
        this.modelName = modelName;
        this.version = version;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .maxInboundMessageSize(256 << 20)
                .addService(new Worker())
                .addService(new Health())
                .build().start();
    }

    public String address() {
        return "127.0.0.1:" + server.getPort();
    }

    public int sequences() {
        return caches.size();
    }

    public int forwardCalls() {
        return forwardCalls;
    }

    public void hold() {
        gate = new CountDownLatch(1);
    }

    public void resume() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    @Override
    public void close() throws InterruptedException {
        resume();
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        model.close();
    }

    private synchronized StepResult run(SequenceStep step) {
        BitNetConfig c = model.config();
        int start = step.getStartPosition();
        KvCache cache = caches.get(step.getSequenceId());
        if (cache == null) {
            // As the real worker: only a first step starts a sequence, and never one of a released id. A step that
            // was in flight when the gateway released the sequence must not bring it back (it did here, and leaked:
            // a flaky "sequences freed" wait, first for decode steps, then for a first step held at the gate).
            if (released.contains(step.getSequenceId())) {
                throw Status.CANCELLED.withDescription("sequence " + step.getSequenceId() + " was released")
                        .asRuntimeException();
            }
            if (start != 0) {
                throw Status.INVALID_ARGUMENT.withDescription("sequence " + step.getSequenceId() + " is unknown here"
                        + " (released?), so it cannot continue at position " + start).asRuntimeException();
            }
            cache = pass.newCache(c.contextLength());
            caches.put(step.getSequenceId(), cache);
        }
        if (start > cache.length()) {
            throw Status.INVALID_ARGUMENT.withDescription("start_position " + start + " skips past the cached "
                    + cache.length()).asRuntimeException();
        }
        cache.truncate(start);
        int n;
        float[] hidden;
        if (step.hasTokens()) {
            n = step.getTokens().getIdsCount();
            hidden = new float[n * c.dim()];
            int[] ids = step.getTokens().getIdsList().stream().mapToInt(Integer::intValue).toArray();
            pass.embed(ids, 0, n, hidden);
        } else {
            n = step.getHidden().getNTokens();
            hidden = new float[n * c.dim()];
            step.getHidden().getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(hidden);
        }
        pass.layers(hidden, List.of(new ForwardPass.Segment(cache, start, n)));
        StepResult.Builder out = StepResult.newBuilder().setSequenceId(step.getSequenceId()).setKvLength(cache.length());
        if (model.hasHead()) {
            float[] logits = new float[c.vocab()];
            pass.logits(hidden, new int[] {n - 1}, logits);
            out.setLogits(Logits.newBuilder().setNPositions(1).setNVocab(c.vocab()).setFirstPosition(start + n - 1)
                    .setData(floats(logits)));
        } else {
            out.setHidden(HiddenStates.newBuilder().setNTokens(n).setNEmbd(c.dim()).setData(floats(hidden)));
        }
        return out.build();
    }

    private static ByteString floats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return ByteString.copyFrom(b);
    }

    private final class Worker extends TernWorkerGrpc.TernWorkerImplBase {
        @Override
        public void forward(ForwardRequest request, StreamObserver<ForwardResponse> response) {
            try {
                CountDownLatch g = gate;
                if (g != null) {
                    g.await();
                }
                if (io.grpc.Context.current().isCancelled()) {
                    throw Status.CANCELLED.withDescription("the caller cancelled").asRuntimeException();
                }
                forwardCalls++;
                if (!request.getModel().equals(modelName) || !request.getVersion().equals(version)) {
                    throw Status.FAILED_PRECONDITION.withDescription("this worker holds " + modelName + "@" + version)
                            .asRuntimeException();
                }
                ForwardResponse.Builder out = ForwardResponse.newBuilder().setBatchId(request.getBatchId());
                for (SequenceStep step : request.getStepsList()) {
                    out.addResults(run(step));
                }
                response.onNext(out.build());
                response.onCompleted();
            } catch (InterruptedException e) {
                response.onError(Status.CANCELLED.asRuntimeException());
            } catch (RuntimeException e) {
                response.onError(Status.fromThrowable(e).asRuntimeException());
            }
        }

        @Override
        public void release(ReleaseRequest request, StreamObserver<ReleaseResponse> response) {
            int freed = 0;
            synchronized (InProcessWorker.this) {  // as run: a step sees the release whole or not at all
                for (String id : request.getSequenceIdsList()) {
                    released.add(id);
                    if (caches.remove(id) != null) {
                        freed++;
                    }
                }
            }
            response.onNext(ReleaseResponse.newBuilder().setReleased(freed).build());
            response.onCompleted();
        }

        @Override
        public void describe(DescribeRequest request, StreamObserver<DescribeResponse> response) {
            BitNetConfig c = model.config();
            response.onNext(DescribeResponse.newBuilder()
                    .setWorkerId(address())
                    .setModel(modelName).setVersion(version)
                    .setLayerStart(model.firstLayer()).setLayerEnd(model.endLayer()).setNLayers(c.layers())
                    .setNEmbd(c.dim()).setNVocab(c.vocab())
                    .setIsFirst(model.hasEmbedding()).setIsLast(model.hasHead())
                    .setRunningSequences(caches.size())
                    .setContextLength(c.contextLength())
                    .setReady(true).setStatus("ready")
                    .build());
            response.onCompleted();
        }
    }

    private static final class Health extends HealthGrpc.HealthImplBase {
        @Override
        public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
            response.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
            response.onCompleted();
        }
    }
}
