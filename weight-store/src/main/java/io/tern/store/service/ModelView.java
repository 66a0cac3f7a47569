package io.tern.store.service;

import io.tern.store.catalog.AliasChange;
import java.util.List;
import java.util.Map;

/** A model as listed: its versions (oldest first), aliases and alias history. */
public record ModelView(String name, List<VersionSummary> versions, Map<String, Integer> aliases,
                        List<AliasChange> aliasHistory) {

    /** One version, without tensors and plans. */
    public record VersionSummary(int version, String architecture, String sourceFile, String sourceSha256,
                                 long sourceSizeBytes, long createdEpochMs, String canonicalSha256,
                                 long canonicalSizeBytes) {
    }
}
