package io.tern.store.service;

/**
 * What happened to an alias.
 *
 * @param version  the version it points at now; null when REMOVED
 * @param previous the version it pointed at before; null when new or SNAPSHOT
 */
public record AliasEvent(Kind kind, String model, String alias, Integer version, Integer previous, long epochMs) {

    public enum Kind {
        /** The alias as it is when a watch starts. */
        SNAPSHOT,
        /** Created or moved. */
        SET,
        REMOVED
    }
}
