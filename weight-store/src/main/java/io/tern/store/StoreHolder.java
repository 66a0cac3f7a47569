package io.tern.store;

import io.quarkus.runtime.StartupEvent;
import io.tern.store.core.StoreException;
import io.tern.store.ingest.ModelNormalizer;
import io.tern.store.service.AliasEvents;
import io.tern.store.service.WeightStore;
import io.tern.store.shard.ShardCutter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Opens the {@link WeightStore} on the configured root at start-up (cleaning leftovers, loading the index). If the
 * root is unusable the service still starts, reports not-ready, and tries again on the next use.
 */
@ApplicationScoped
public class StoreHolder {
    private static final Logger LOG = Logger.getLogger(StoreHolder.class);

    @Inject
    StoreRoot root;
    @Inject
    ModelNormalizer normalizer;
    @Inject
    ShardCutter cutter;

    private final AliasEvents events = new AliasEvents();
    private volatile WeightStore store;
    private volatile String problem = "the store has not been opened yet";

    void onStart(@Observes StartupEvent event) {
        tryOpen();
    }

    private synchronized void tryOpen() {
        if (store != null) {
            return;
        }
        Optional<String> rootProblem = root.problem();
        if (rootProblem.isPresent()) {
            problem = rootProblem.get();
            LOG.warnf("weight store not ready: %s", problem);
            return;
        }
        try {
            long t0 = System.nanoTime();
            store = WeightStore.open(root.path(), normalizer, cutter, events);
            LOG.infof("weight store opened at %s: %d model(s), index loaded in %d ms", root.path(),
                    store.models().size(), (System.nanoTime() - t0) / 1_000_000);
        } catch (StoreException e) {
            problem = e.getMessage();
            LOG.warnf("weight store not ready: %s", problem);
        }
    }

    /** The store; UNAVAILABLE (naming the reason) when it cannot be opened. */
    public WeightStore store() {
        if (store == null) {
            tryOpen();
        }
        WeightStore s = store;
        if (s == null) {
            throw new StoreException(StoreException.Kind.UNAVAILABLE, "the weight store is not available: " + problem);
        }
        return s;
    }

    /** Why the store is not loaded, or empty once it is. */
    public Optional<String> problem() {
        if (store == null) {
            tryOpen();
        }
        return store != null ? Optional.empty() : Optional.of(problem);
    }
}
