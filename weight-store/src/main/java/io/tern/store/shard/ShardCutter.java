package io.tern.store.shard;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Cuts a canonical GGUF into {@code count} shards of contiguous layer ranges, balanced by bytes: the token embedding
 * goes with the first shard, the output norm and head with the last. Each shard is a GGUF the engine runs for its
 * range (metadata {@code tern.shard.layer_start} / {@code layer_end}). Default: {@link EngineShardCutter}.
 */
public interface ShardCutter {

    /** Writes the shards into {@code workDir}, in index order. */
    List<CutShard> cut(Path canonicalGguf, int count, Path workDir) throws IOException;
}
