package io.tern.store.service;

import io.tern.store.TinyModels;
import io.tern.store.catalog.Manifest;
import io.tern.store.core.Sizes;
import io.tern.store.ingest.ImportProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Prints import and shard-cutting times for one GGUF (not a test):
 * {@code java ... ImportBenchmark <store root> <model.gguf> [shard counts...]}.
 */
public final class ImportBenchmark {

    private ImportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Path source = Path.of(args[1]);
        long size = Files.size(source);
        long t0 = System.nanoTime();
        WeightStore store = TinyModels.open(root);
        Manifest m = store.importPath("bench", source, ImportProgress.NONE);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "import %s (%s): %.1f s, %s/s -> version %d%n", source.getFileName(),
                Sizes.human(size), s, Sizes.human((long) (size / s)), m.version());
        for (int i = 2; i < args.length; i++) {
            int n = Integer.parseInt(args[i]);
            long t1 = System.nanoTime();
            var plan = store.shardPlan("bench", m.version(), n);
            System.out.printf(Locale.ROOT, "shard plan %d: %.1f s, ranges %s%n", n, (System.nanoTime() - t1) / 1e9,
                    plan.shards().stream().map(x -> "[" + x.layerStart() + "," + x.layerEnd() + ") " + Sizes.human(x.sizeBytes())).toList());
        }
    }
}
