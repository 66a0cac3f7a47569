package io.tern.store.shard;

import io.tern.engine.gguf.GgufFile;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.model.LayerRange;
import io.tern.engine.shard.ShardPlanner;
import io.tern.engine.shard.ShardWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts with the engine: {@link ShardPlanner} picks the layer ranges (largest shard as small as possible, embedding
 * with the first, head with the last) and {@link ShardWriter} writes each range as a GGUF the engine loads.
 */
public final class EngineShardCutter implements ShardCutter {

    @Override
    public List<CutShard> cut(Path canonicalGguf, int count, Path workDir) throws IOException {
        try (GgufFile file = GgufFile.open(canonicalGguf)) {
            int layers = BitNetConfig.from(file.metadata()).layers();
            List<LayerRange> plan = ShardPlanner.plan(file, count);
            List<CutShard> out = new ArrayList<>();
            for (int k = 0; k < plan.size(); k++) {
                LayerRange r = plan.get(k);
                Path shard = workDir.resolve("shard-" + count + "-" + k + ".gguf");
                ShardWriter.write(file, plan, k, shard);
                out.add(new CutShard(k, r.start(), r.end(), r.holdsFirst(), r.holdsLast(layers), shard));
            }
            return out;
        }
    }
}
