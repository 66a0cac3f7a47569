package io.tern.store.catalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything known about one version of a model; stored as {@code manifest.json} and served over REST and gRPC.
 * The version's weights are fixed at import; only {@code shardPlans} grows, as plans for new shard counts are made.
 *
 * @param canonical     the canonical GGUF (also the single blob of the 1-shard plan)
 * @param tokenizer     a metadata-only GGUF: tokenizer keys, architecture and hyper-parameters, no tensors
 * @param importSummary what the normaliser did with the source, in words
 */
public record Manifest(
        String model,
        int version,
        String architecture,
        Map<String, String> hyperParams,
        List<TensorEntry> tensors,
        String sourceFile,
        String sourceSha256,
        long sourceSizeBytes,
        long createdEpochMs,
        BlobRef canonical,
        BlobRef tokenizer,
        String importSummary,
        List<ShardPlan> shardPlans) {

    public Manifest {
        hyperParams = Map.copyOf(hyperParams);
        tensors = List.copyOf(tensors);
        shardPlans = List.copyOf(shardPlans);
    }

    /** A tensor of the canonical GGUF; dims innermost first, as in GGUF. */
    public record TensorEntry(String name, String type, List<Long> dims, long sizeBytes) {
    }

    public record BlobRef(String sha256, long sizeBytes) {
    }

    /** One shard: the layers [layerStart, layerEnd) packed as one GGUF blob. */
    public record ShardEntry(int index, int layerStart, int layerEnd, String blobSha256, long sizeBytes,
                             boolean hasEmbedding, boolean hasOutputHead) {
    }

    public record ShardPlan(int shardCount, List<ShardEntry> shards) {
        public ShardPlan {
            shards = List.copyOf(shards);
        }
    }

    public Optional<ShardPlan> plan(int shardCount) {
        return shardPlans.stream().filter(p -> p.shardCount() == shardCount).findFirst();
    }

    /** A copy with one more plan. */
    public Manifest withPlan(ShardPlan plan) {
        List<ShardPlan> plans = new ArrayList<>(shardPlans);
        plans.add(plan);
        plans.sort((a, b) -> Integer.compare(a.shardCount(), b.shardCount()));
        return new Manifest(model, version, architecture, hyperParams, tensors, sourceFile, sourceSha256,
                sourceSizeBytes, createdEpochMs, canonical, tokenizer, importSummary, plans);
    }

    /** Every blob this version needs. */
    public Set<String> blobs() {
        Set<String> out = new LinkedHashSet<>();
        out.add(canonical.sha256());
        out.add(tokenizer.sha256());
        for (ShardPlan p : shardPlans) {
            for (ShardEntry s : p.shards()) {
                out.add(s.blobSha256());
            }
        }
        return out;
    }

    public int layers() {
        return Integer.parseInt(hyperParams.getOrDefault("n_layers", "0"));
    }
}
