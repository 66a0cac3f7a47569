package io.tern.store.ingest;

import java.nio.file.Path;

/**
 * The result of normalising a source: the canonical GGUF (which may be the source file itself) and what was done.
 *
 * @param summary e.g. "accepted as-is: arch bitnet, 3 layers, linear weights TQ2_0, verified by a forward step"
 */
public record NormalizedModel(Path canonicalGguf, String summary) {
}
