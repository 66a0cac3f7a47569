package io.tern.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvType;
import io.tern.engine.kernel.SoftwarePrefetch;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.FfnActivation;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.model.NumericPath;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Brings the shard up off the start-up thread (so liveness answers during a long download): fetch (store) or open
 * (local file), load off-heap, warm the kernels, start the batch scheduler, then READY. Any failure is FAILED with
 * the reason.
 */
@ApplicationScoped
public class ShardStartup {
    private static final Logger LOG = Logger.getLogger(ShardStartup.class);

    @Inject
    WorkerConfig config;

    @Inject
    WorkerLifecycle lifecycle;

    @Inject
    Instance<MeterRegistry> registry;

    private volatile BitNetModel model;
    private volatile BatchScheduler scheduler;
    private volatile Thread loader;

    void onStart(@Observes StartupEvent event) {
        lifecycle.publishHealth();
        loader = Thread.ofPlatform().name("tern-shard-loader").daemon().start(this::bringUp);
    }

    void onStop(@Observes ShutdownEvent event) {
        Thread t = loader;
        if (t != null) {
            t.interrupt();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (model != null) {
            model.close();
        }
    }

    private void bringUp() {
        try {
            Source source = locate();
            lifecycle.moveTo(WorkerState.LOADING, "loading " + source.file());
            ModelOptions options = new ModelOptions(NumericPath.parse(config.path()), config.kernel(),
                    config.threads(), FfnActivation.parse(config.ffnAct())).withKvType(KvType.parseOption(config.kvType()))
                    .withPrefetch(SoftwarePrefetch.parse(config.prefetch())).withHeadRescore(config.headRescore())
                    .withHeadBits(config.headBits());
            model = ModelLoader.load(source.file(), options);
            BitNetConfig c = model.config();
            ShardInfo shard = new ShardInfo(source.model(), source.version(), model.firstLayer(), model.endLayer(),
                    c.layers(), c.dim(), c.vocab(), c.contextLength());
            ForwardPass pass = new ForwardPass(model, config.maxBatchTokens());
            lifecycle.moveTo(WorkerState.WARMING, "warming up the " + model.kernelName() + " kernels");
            Warmup.run(pass, config.warmupSteps());
            scheduler = new BatchScheduler(pass, config.kvBudgetMb() << 20, config.maxSequences(),
                    config.idleTimeout(), config.batchGather(), registry.isResolvable() ? new WorkerMetrics(registry.get()) : null);
            scheduler.start();
            lifecycle.ready(shard, scheduler);
        } catch (InterruptedException e) {
            lifecycle.fail("interrupted while starting");
        } catch (Throwable e) {
            LOG.error("shard start-up failed", e);
            lifecycle.fail(lifecycle.state() + " failed: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        }
    }

    private record Source(Path file, String model, String version) {
    }

    private Source locate() throws Exception {
        if (config.modelFile().isPresent()) {
            Path file = Path.of(config.modelFile().get());
            if (!Files.isRegularFile(file)) {
                throw new java.io.FileNotFoundException("model file " + file + " does not exist");
            }
            String name = file.getFileName().toString().replaceFirst("\\.gguf$", "");
            return new Source(file, config.model().orElse(name), config.version().orElse("local"));
        }
        if (config.store().isEmpty()) {
            throw new IllegalStateException("no shard source: set tern.worker.model-file, or tern.worker.store"
                    + " with tern.worker.model");
        }
        String model = config.model().orElseThrow(() -> new IllegalStateException(
                "tern.worker.store is set but tern.worker.model is not"));
        lifecycle.moveTo(WorkerState.DOWNLOADING, "fetching shard " + config.shardIndex() + "/" + config.shardCount()
                + " of " + model + " from " + config.store().get());
        ShardFetcher.Fetched f = new ShardFetcher(config.store().get(), model, config.version().orElse(null),
                config.alias(), config.shardIndex(), config.shardCount(), Path.of(config.cacheDir()),
                config.storeWait()).fetch();
        return new Source(f.file(), f.model(), f.version());
    }
}
