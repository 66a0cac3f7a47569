package io.tern.worker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Configuration under {@code tern.worker} (env {@code TERN_WORKER_*}). The shard comes either from a local GGUF
 * ({@code model-file}: a whole model or a shard written by the store) or from the weight store ({@code store} +
 * {@code model} + {@code version} or {@code alias} + {@code shard-index} / {@code shard-count}).
 */
@ConfigMapping(prefix = "tern.worker")
public interface WorkerConfig {

    /** Name this worker reports in Describe. */
    String id();

    /** A local GGUF file to serve; wins over {@link #store()}. */
    Optional<String> modelFile();

    /** Weight-store gRPC address, host:port. */
    Optional<String> store();

    /** Model name in the store; also the name reported for a local file (default: the file name). */
    Optional<String> model();

    /** Model version in the store (or reported for a local file). */
    Optional<String> version();

    /** Alias resolved to a version when no version is given. */
    @WithDefault("default")
    String alias();

    /** This worker's shard of the store's plan, 0-based. */
    @WithDefault("0")
    int shardIndex();

    /** Number of shards the model is cut into. */
    @WithDefault("1")
    int shardCount();

    /** How long to keep retrying a weight store that is not reachable yet. */
    @WithDefault("60s")
    Duration storeWait();

    /** Where downloaded shard blobs are kept (named by sha256, reused across restarts). */
    @WithDefault("${java.io.tmpdir}/tern-worker-cache")
    String cacheDir();

    /** KV cache budget in MiB, all sequences together. */
    @WithDefault("1024")
    long kvBudgetMb();

    /** Most tokens one scheduler step runs (prefills are cut into chunks of at most this). */
    @WithDefault("512")
    int maxBatchTokens();

    /**
     * How long a scheduler step may wait for the sequences of the previous step to send their next tokens before it
     * runs with fewer (0 = never wait).
     */
    @WithDefault("2ms")
    Duration batchGather();

    /** Most sequences holding KV cache at once. */
    @WithDefault("256")
    int maxSequences();

    /** A sequence not touched for this long is freed. */
    @WithDefault("5m")
    Duration idleTimeout();

    /** Compute threads (0 = one per core). */
    @WithDefault("0")
    int threads();

    /** Ternary kernel: auto | native | vector | scalar. */
    @WithDefault("auto")
    String kernel();

    /** Numeric path: int8 (BitNet kernels) or float (reference). */
    @WithDefault("int8")
    String path();

    /** KV cache element type: auto (f16 on the int8 path, f32 on the float one) | f32 | f16 | q8. */
    @WithDefault("auto")
    String kvType();

    /** Native kernels' software prefetch of weights: auto (by CPU vendor) | off | l1l2 | nta. */
    @WithDefault("auto")
    String prefetch();

    /** The int8 lm_head's top candidates per token computed again from the file's float rows (0: int8 logits alone). */
    @WithDefault("" + io.tern.engine.model.ModelOptions.DEFAULT_HEAD_RESCORE)
    int headRescore();

    /** Bits per weight of the quantised lm_head: 8 or 4 (4 needs the native kernels; else 8). */
    @WithDefault("8")
    int headBits();

    /** FFN activation: relu2 (BitNet b1.58) or silu. */
    @WithDefault("relu2")
    String ffnAct();

    /** Forward steps run before reporting ready, so C2 compiles the kernels. */
    @WithDefault("24")
    int warmupSteps();
}
