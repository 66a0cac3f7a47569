package io.tern.store.service;

import io.tern.store.blob.BlobStore;
import io.tern.store.blob.Durable;
import io.tern.store.blob.FsBlobStore;
import io.tern.store.blob.Sha256;
import io.tern.store.catalog.AliasChange;
import io.tern.store.catalog.AliasTable;
import io.tern.store.catalog.CatalogStore;
import io.tern.store.catalog.FsCatalogStore;
import io.tern.store.catalog.Manifest;
import io.tern.store.catalog.Manifest.ShardEntry;
import io.tern.store.catalog.Manifest.ShardPlan;
import io.tern.store.core.Names;
import io.tern.store.core.StorageErrors;
import io.tern.store.core.StoreException;
import io.tern.store.ingest.ImportProgress;
import io.tern.store.ingest.ModelNormalizer;
import io.tern.store.ingest.ProgressLog;
import io.tern.store.shard.CutShard;
import io.tern.store.shard.ShardCutter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The weight store: models with immutable numbered versions, aliases that point at versions, shard plans made on
 * demand, all bytes in content-addressed blobs. Plain Java (no framework): the service wires it with CDI, tests and
 * the crash-test child process construct it directly. Every failure is a {@link StoreException}.
 */
public final class WeightStore {
    private static final Logger LOG = Logger.getLogger(WeightStore.class);

    private final BlobStore blobs;
    private final CatalogStore catalog;
    private final StoreIndex index;
    private final Importer importer;
    private final ShardCutter cutter;
    private final AliasEvents events;
    private final LongSupplier clock;
    private final Map<String, Object> planLocks = new ConcurrentHashMap<>();

    private WeightStore(BlobStore blobs, CatalogStore catalog, ModelNormalizer normalizer, ShardCutter cutter,
                        AliasEvents events, LongSupplier clock) {
        this.blobs = blobs;
        this.catalog = catalog;
        this.index = new StoreIndex(catalog, blobs);
        this.importer = new Importer(index, blobs, normalizer, clock);
        this.cutter = cutter;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Opens the store on a filesystem root: removes leftovers of interrupted writes (work files, half-deleted
     * versions, blobs no version references), then loads the catalog.
     */
    public static WeightStore open(Path root, ModelNormalizer normalizer, ShardCutter cutter, AliasEvents events) {
        try {
            Files.createDirectories(root);
            return open(new FsBlobStore(root), new FsCatalogStore(root), normalizer, cutter, events);
        } catch (IOException e) {
            throw StorageErrors.map(e, "opening the store at " + root);
        }
    }

    public static WeightStore open(BlobStore blobs, CatalogStore catalog, ModelNormalizer normalizer,
                                   ShardCutter cutter, AliasEvents events) {
        WeightStore store = new WeightStore(blobs, catalog, normalizer, cutter, events, System::currentTimeMillis);
        try {
            blobs.cleanLeftovers();
            catalog.cleanLeftovers();
            store.index.load();
            store.index.collect(blobs.list());
        } catch (IOException e) {
            throw StorageErrors.map(e, "loading the store");
        }
        return store;
    }

    // ---- reads

    public List<ModelView> models() {
        return index.modelNames().stream().map(this::modelOrNull).filter(m -> m != null).toList();
    }

    public ModelView model(String name) {
        Names.model(name);
        StoreIndex.ModelState s = index.state(name);
        List<ModelView.VersionSummary> versions = s.versions().values().stream()
                .map(m -> new ModelView.VersionSummary(m.version(), m.architecture(), m.sourceFile(), m.sourceSha256(),
                        m.sourceSizeBytes(), m.createdEpochMs(), m.canonical().sha256(), m.canonical().sizeBytes()))
                .toList();
        return new ModelView(name, versions, s.aliases().aliases(), s.aliases().history());
    }

    private ModelView modelOrNull(String name) {
        try {
            return model(name);
        } catch (StoreException e) {
            return null;
        }
    }

    public Manifest manifest(String model, int version) {
        Names.model(model);
        return index.manifest(model, version);
    }

    public int resolveAlias(String model, String alias) {
        Names.model(model);
        Names.alias(alias);
        Integer v = index.state(model).aliases().aliases().get(alias);
        if (v == null) {
            throw StoreException.notFound("alias '" + alias + "' of model '" + model + "' is not set");
        }
        return v;
    }

    public BlobStore blobs() {
        return blobs;
    }

    public AliasEvents events() {
        return events;
    }

    /** One SNAPSHOT event per alias that exists now (of {@code model}, or of all models when null). */
    public List<AliasEvent> aliasSnapshot(String model) {
        List<AliasEvent> out = new ArrayList<>();
        long now = clock.getAsLong();
        for (String name : index.modelNames()) {
            if (model == null || model.equals(name)) {
                index.state(name).aliases().aliases().forEach((alias, version) ->
                        out.add(new AliasEvent(AliasEvent.Kind.SNAPSHOT, name, alias, version, null, now)));
            }
        }
        return out;
    }

    // ---- writes

    public Manifest importStream(String model, InputStream body, long declaredLength, String fileName,
                                 ImportProgress progress) {
        try {
            return importer.fromStream(model, body, declaredLength, fileName, new ProgressLog(model, progress));
        } catch (IOException e) {
            throw StorageErrors.map(e, "importing model '" + model + "'");
        }
    }

    /** Imports a file or directory on the store's own host (for the CLI and launcher). */
    public Manifest importPath(String model, Path source, ImportProgress progress) {
        try {
            return importer.fromPath(model, source, new ProgressLog(model, progress));
        } catch (IOException e) {
            throw StorageErrors.map(e, "importing " + source + " as model '" + model + "'");
        }
    }

    /** Points an alias at a version (creating or moving it); atomic, recorded in the history, announced. */
    public AliasChange setAlias(String model, String alias, int version) {
        Names.model(model);
        Names.alias(alias);
        synchronized (index.lock(model)) {
            index.manifest(model, version);
            AliasTable table = index.state(model).aliases();
            AliasChange change = new AliasChange(alias, version, table.aliases().get(alias), clock.getAsLong());
            writeAliases(model, table.apply(change), "setting alias '" + alias + "'");
            events.publish(new AliasEvent(AliasEvent.Kind.SET, model, alias, version, change.previousVersion(),
                    change.changedEpochMs()));
            LOG.infof("alias %s:%s → version %d (was %s)", model, alias, version, change.previousVersion());
            return change;
        }
    }

    public AliasChange removeAlias(String model, String alias) {
        Names.model(model);
        Names.alias(alias);
        synchronized (index.lock(model)) {
            AliasTable table = index.state(model).aliases();
            Integer previous = table.aliases().get(alias);
            if (previous == null) {
                throw StoreException.notFound("alias '" + alias + "' of model '" + model + "' is not set");
            }
            AliasChange change = new AliasChange(alias, null, previous, clock.getAsLong());
            writeAliases(model, table.apply(change), "removing alias '" + alias + "'");
            events.publish(new AliasEvent(AliasEvent.Kind.REMOVED, model, alias, null, previous, change.changedEpochMs()));
            return change;
        }
    }

    private void writeAliases(String model, AliasTable table, String what) {
        try {
            index.putAliases(model, table);
        } catch (IOException e) {
            throw StorageErrors.map(e, what + " of model '" + model + "'");
        }
    }

    /** Deletes a version and the blobs only it used; refused while an alias points at it. */
    public void deleteVersion(String model, int version) {
        Names.model(model);
        Manifest removed;
        synchronized (index.lock(model)) {
            index.manifest(model, version);
            List<String> aliases = index.aliasesAt(model, version);
            if (!aliases.isEmpty()) {
                throw StoreException.conflict("version " + version + " of model '" + model + "' is the target of alias"
                        + (aliases.size() > 1 ? "es " : " ") + String.join(", ", aliases) + "; move or remove "
                        + (aliases.size() > 1 ? "them" : "it") + " first");
            }
            try {
                removed = index.remove(model, version);
            } catch (IOException e) {
                throw StorageErrors.map(e, "deleting version " + version + " of model '" + model + "'");
            }
        }
        try {
            index.collect(removed.blobs());
        } catch (IOException e) {
            throw StorageErrors.map(e, "removing the blobs of version " + version + " of model '" + model + "'");
        }
        LOG.infof("deleted %s version %d", model, version);
    }

    /** The plan for {@code count} shards, cut and stored on first request. */
    public ShardPlan shardPlan(String model, int version, int count) {
        Manifest m = manifest(model, version);
        int layers = m.layers();
        if (count < 1 || count > layers) {
            throw StoreException.invalid("shard count " + count + " must be between 1 and " + layers
                    + " (the layers of " + model + " version " + version + ")");
        }
        var existing = m.plan(count);
        if (existing.isPresent()) {
            return existing.get();
        }
        synchronized (planLocks.computeIfAbsent(model + "/" + version, k -> new Object())) {
            existing = manifest(model, version).plan(count);
            if (existing.isPresent()) {
                return existing.get();
            }
            try {
                return cutPlan(m, count);
            } catch (IOException e) {
                throw StorageErrors.map(e, "cutting " + model + " version " + version + " into " + count + " shards");
            }
        }
    }

    private ShardPlan cutPlan(Manifest m, int count) throws IOException {
        long t0 = System.nanoTime();
        Path canonical = blobs.localFile(m.canonical().sha256());
        Path work = Files.createTempDirectory(blobs.scratchDir(), "plan-");
        List<String> pinned = new ArrayList<>();
        try {
            List<ShardEntry> shards = new ArrayList<>();
            for (CutShard s : cutter.cut(canonical, count, work)) {
                String sha = Sha256.of(s.file());
                long size = Files.size(s.file());
                index.pinAndAdopt(sha, s.file());
                pinned.add(sha);
                shards.add(new ShardEntry(s.index(), s.layerStart(), s.layerEnd(), sha, size, s.hasEmbedding(),
                        s.hasOutputHead()));
            }
            ShardPlan plan = new ShardPlan(count, shards);
            index.update(m.model(), m.version(), current -> current.withPlan(plan));
            LOG.infof("cut %s version %d into %d shards %s in %d ms", m.model(), m.version(), count,
                    shards.stream().map(s -> "[" + s.layerStart() + "," + s.layerEnd() + ")").toList(),
                    (System.nanoTime() - t0) / 1_000_000);
            return plan;
        } finally {
            Durable.deleteTree(work);
            index.unpin(pinned);
            index.collect(pinned);
        }
    }
}
