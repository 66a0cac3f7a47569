package io.tern.store.shard;

import java.nio.file.Path;

/** One shard file written by a {@link ShardCutter}: layers [layerStart, layerEnd) of the model. */
public record CutShard(int index, int layerStart, int layerEnd, boolean hasEmbedding, boolean hasOutputHead, Path file) {
}
