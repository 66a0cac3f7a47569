package io.tern.store.service;

import io.tern.store.blob.BlobStore;
import io.tern.store.catalog.AliasTable;
import io.tern.store.catalog.CatalogStore;
import io.tern.store.catalog.Manifest;
import io.tern.store.core.StoreException;
import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * The catalog in memory, loaded at start-up and kept in step with every write. Reads need no lock (each model's
 * state is an immutable snapshot swapped on change); writes to one model are serialised by that model's lock and
 * go to disk before memory. Blobs being written by an import or a plan are pinned so garbage collection spares them.
 */
final class StoreIndex {
    private static final Logger LOG = Logger.getLogger(StoreIndex.class);

    /** One model's state: an immutable snapshot. */
    record ModelState(TreeMap<Integer, Manifest> versions, AliasTable aliases, int highestVersion) {
    }

    private final CatalogStore catalog;
    private final BlobStore blobs;
    private final Map<String, ModelState> models = new ConcurrentSkipListMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, Integer> pins = new ConcurrentHashMap<>();
    private final Object blobLock = new Object();

    StoreIndex(CatalogStore catalog, BlobStore blobs) {
        this.catalog = catalog;
        this.blobs = blobs;
    }

    /** Loads every model from the catalog. */
    void load() throws IOException {
        for (String model : catalog.models()) {
            TreeMap<Integer, Manifest> versions = new TreeMap<>();
            for (Manifest m : catalog.versions(model)) {
                versions.put(m.version(), m);
            }
            models.put(model, new ModelState(versions, catalog.aliases(model), catalog.highestVersion(model)));
        }
    }

    Object lock(String model) {
        return locks.computeIfAbsent(model, k -> new Object());
    }

    Collection<String> modelNames() {
        return models.keySet();
    }

    ModelState state(String model) {
        ModelState s = models.get(model);
        if (s == null) {
            throw StoreException.notFound("model '" + model + "' not found");
        }
        return s;
    }

    Manifest manifest(String model, int version) {
        Manifest m = state(model).versions().get(version);
        if (m == null) {
            throw StoreException.notFound("version " + version + " of model '" + model + "' not found");
        }
        return m;
    }

    /** Commits the next version of a model, built by {@code build} from its number. */
    Manifest commitNew(String model, IntFunction<Manifest> build) throws IOException {
        synchronized (lock(model)) {
            ModelState s = models.get(model);
            int highest = Math.max(s == null ? 0 : s.highestVersion(), catalog.highestVersion(model));
            Manifest m = build.apply(highest + 1);
            catalog.commitVersion(m);
            TreeMap<Integer, Manifest> versions = s == null ? new TreeMap<>() : new TreeMap<>(s.versions());
            versions.put(m.version(), m);
            models.put(model, new ModelState(versions, s == null ? AliasTable.EMPTY : s.aliases(), m.version()));
            return m;
        }
    }

    /** Replaces a live version's manifest with {@code change} applied to the current one. */
    Manifest update(String model, int version, UnaryOperator<Manifest> change) throws IOException {
        synchronized (lock(model)) {
            Manifest next = change.apply(manifest(model, version));
            catalog.updateManifest(next);
            ModelState s = state(model);
            TreeMap<Integer, Manifest> versions = new TreeMap<>(s.versions());
            versions.put(version, next);
            models.put(model, new ModelState(versions, s.aliases(), s.highestVersion()));
            return next;
        }
    }

    /** Writes a new alias table (caller holds the model lock and has checked the change). */
    void putAliases(String model, AliasTable table) throws IOException {
        catalog.writeAliases(model, table);
        ModelState s = state(model);
        models.put(model, new ModelState(s.versions(), table, s.highestVersion()));
    }

    /** Removes a version (caller holds the model lock and has checked no alias points at it). */
    Manifest remove(String model, int version) throws IOException {
        Manifest m = manifest(model, version);
        catalog.deleteVersion(model, version);
        ModelState s = state(model);
        TreeMap<Integer, Manifest> versions = new TreeMap<>(s.versions());
        versions.remove(version);
        models.put(model, new ModelState(versions, s.aliases(), s.highestVersion()));
        return m;
    }

    /** Pins blobs and adopts their files: the blob cannot be collected until unpinned. */
    void pinAndAdopt(String sha256, java.nio.file.Path file) throws IOException {
        synchronized (blobLock) {
            pins.merge(sha256, 1, Integer::sum);
            blobs.adopt(file, sha256);
        }
    }

    void unpin(Collection<String> shas) {
        synchronized (blobLock) {
            for (String sha : shas) {
                pins.computeIfPresent(sha, (k, n) -> n > 1 ? n - 1 : null);
            }
        }
    }

    /** Deletes those of {@code candidates} that no live version references and nobody has pinned. */
    int collect(Collection<String> candidates) throws IOException {
        synchronized (blobLock) {
            Set<String> referenced = new HashSet<>();
            for (ModelState s : models.values()) {
                for (Manifest m : s.versions().values()) {
                    referenced.addAll(m.blobs());
                }
            }
            int deleted = 0;
            for (String sha : candidates) {
                if (!referenced.contains(sha) && !pins.containsKey(sha) && blobs.contains(sha)) {
                    blobs.delete(sha);
                    deleted++;
                }
            }
            if (deleted > 0) {
                LOG.infof("removed %d unreferenced blob(s)", deleted);
            }
            return deleted;
        }
    }

    List<String> aliasesAt(String model, int version) {
        return state(model).aliases().pointingAt(version);
    }
}
