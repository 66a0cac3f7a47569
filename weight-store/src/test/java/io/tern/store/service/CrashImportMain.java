package io.tern.store.service;

import io.tern.store.TinyModels;
import io.tern.store.ingest.ImportProgress;
import java.nio.file.Path;

/**
 * Child process of {@link CrashImportTest}: imports a model again and again (and cuts a 2-shard plan of each
 * version) until it is killed. Prints "imported N" after each version.
 */
public final class CrashImportMain {

    private CrashImportMain() {
    }

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        Path source = Path.of(args[1]);
        WeightStore store = TinyModels.open(root);
        System.out.println("opened");
        System.out.flush();
        while (true) {
            var m = store.importPath("crash", source, ImportProgress.NONE);
            store.shardPlan("crash", m.version(), 2);
            System.out.println("imported " + m.version());
            System.out.flush();
        }
    }
}
