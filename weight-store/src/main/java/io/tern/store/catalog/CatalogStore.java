package io.tern.store.catalog;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Manifests and alias tables of all models. Every write is atomic: after a crash a version is either absent or
 * complete, and an alias table is the old one or the new one. The filesystem implementation is
 * {@link FsCatalogStore}.
 */
public interface CatalogStore {

    /** Names of models that have a directory in the store. */
    List<String> models() throws IOException;

    /** Manifests of a model's live versions, oldest first. */
    List<Manifest> versions(String model) throws IOException;

    /** The highest version number ever given to the model, deleted ones included (0 if none). */
    int highestVersion(String model) throws IOException;

    /** Makes a new version appear, complete; CONFLICT if the number is taken. */
    void commitVersion(Manifest manifest) throws IOException;

    /** Replaces an existing version's manifest (new shard plans). */
    void updateManifest(Manifest manifest) throws IOException;

    /** Removes a version; its number is never given again. */
    void deleteVersion(String model, int version) throws IOException;

    AliasTable aliases(String model) throws IOException;

    void writeAliases(String model, AliasTable table) throws IOException;

    /** Removes a model directory that has no versions and no aliases; returns true if removed. */
    boolean removeIfEmpty(String model) throws IOException;

    /** Removes leftovers of interrupted writes; called at start-up. */
    void cleanLeftovers() throws IOException;

    Optional<Manifest> manifest(String model, int version) throws IOException;
}
