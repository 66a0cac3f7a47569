package io.tern.worker;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Starts a {@link TestWeightStore} holding the tiny model cut into shards [0, 2) and [2, 4) (downloads held until
 * {@link #GATE} exists) and points the worker at shard 1 of 2 through the alias "default".
 */
public class StoreShardResource implements QuarkusTestResourceLifecycleManager {
    static final Path GATE = TestModels.DIR.resolve("store-gate");
    static final Path CACHE = TestModels.DIR.resolve("shard-cache");
    static final String VERSION = "v-test-1";

    private TestWeightStore store;

    @Override
    public Map<String, String> start() {
        try {
            Files.deleteIfExists(GATE);
            if (Files.exists(CACHE)) {
                try (Stream<Path> files = Files.walk(CACHE)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            store = new TestWeightStore("tiny", "default", VERSION);
            store.addShard(0, 2, 4, TestModels.shard(0, 2));
            store.addShard(2, 4, 4, TestModels.shard(2, 4));
            store.holdDownloadsUntil(GATE);
            int port = store.start();
            return Map.of(
                    "tern.worker.store", "localhost:" + port,
                    "tern.worker.model", "tiny",
                    "tern.worker.shard-index", "1",
                    "tern.worker.shard-count", "2",
                    "tern.worker.cache-dir", CACHE.toAbsolutePath().toString(),
                    "tern.worker.warmup-steps", "4",
                    "tern.worker.threads", "2",
                    "tern.worker.max-batch-tokens", "64");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try {
            store.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
