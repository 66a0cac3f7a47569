package io.tern.store.catalog;

/**
 * One move of an alias, as kept in the model's alias history.
 *
 * @param version         the version it points at now; null when the alias was removed
 * @param previousVersion the version it pointed at before; null when new
 */
public record AliasChange(String alias, Integer version, Integer previousVersion, long changedEpochMs) {
}
